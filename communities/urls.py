from django.urls import path

from . import views, wiki_views

app_name = "communities"

urlpatterns = [
    path("communities/", views.community_list, name="list"),
    path("communities/<slug:slug>/", views.community_detail, name="detail"),
    path("communities/<slug:slug>/<slug:policy_slug>/declare/", views.declare, name="declare"),
    path("communities/<slug:slug>/<slug:policy_slug>/override/", views.override, name="override"),
    path(
        "communities/<slug:slug>/<slug:policy_slug>/rebase/<slug:key>/", views.rebase, name="rebase"
    ),
    path("communities/<slug:slug>/<slug:policy_slug>/upgrade/", views.upgrade, name="upgrade"),
    path("communities/<slug:slug>/<slug:policy_slug>/mapping/", views.mapping, name="mapping"),
    path(
        "communities/<slug:slug>/<slug:policy_slug>/effective/", views.effective, name="effective"
    ),
    path(
        "communities/<slug:slug>/<slug:policy_slug>/effective.<str:fmt>",
        views.effective_download,
        name="effective_download",
    ),
    path(
        "communities/<slug:slug>/<slug:policy_slug>/wiki/publish/",
        wiki_views.publish,
        name="wiki_publish",
    ),
    path(
        "communities/<slug:slug>/<slug:policy_slug>/wiki/acknowledge/",
        wiki_views.acknowledge,
        name="wiki_acknowledge",
    ),
    path("adoption/", views.adoption_dashboard, name="dashboard"),
    path("adoption/export.csv", views.export_csv, name="export_csv"),
    path("adoption/export.json", views.export_json, name="export_json"),
    path("adoption/badge/<slug:community_slug>/<slug:policy_slug>.svg", views.badge, name="badge"),
]
