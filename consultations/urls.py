"""Consultation URLs live under the policy's path, as plain Django views placed before
Wagtail's catch-all (so exports may use file extensions)."""

from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("<slug:slug>/consultations/", views.policy_consultations, name="list"),
    path("<slug:slug>/consultations/new/", views.create, name="create"),
    path("<slug:slug>/consultations/<int:pk>/", views.detail, name="detail"),
    path(
        "<slug:slug>/consultations/<int:pk>/sections/<slug:key>/positions/",
        views.section_positions,
        name="section_positions",
    ),
    path("<slug:slug>/consultations/<int:pk>/state/", views.change_state, name="state"),
    path("<slug:slug>/consultations/<int:pk>/moderation/", views.moderation_log, name="moderation"),
    path("<slug:slug>/consultations/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/consultations/<int:pk>/summary/", views.summary, name="summary"),
    path(
        "<slug:slug>/consultations/<int:pk>/summary/edit/", views.summary_edit, name="summary_edit"
    ),
    path(
        "<slug:slug>/consultations/<int:pk>/summary/publish/",
        views.summary_publish,
        name="summary_publish",
    ),
    path("<slug:slug>/consultations/<int:pk>/export.csv", views.export_csv, name="export_csv"),
    path("<slug:slug>/consultations/<int:pk>/export.json", views.export_json, name="export_json"),
]
