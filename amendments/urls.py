"""The merge page lives under its consultation's path (amendment actions themselves are posted
to the consultation page, see extension.py)."""

from django.urls import path

from . import views

app_name = "amendments"

urlpatterns = [
    path("<slug:slug>/consultations/<int:pk>/merge/", views.merge, name="merge"),
    path(
        "<slug:slug>/consultations/<int:pk>/sections/<slug:key>/propose/",
        views.propose,
        name="propose",
    ),
]
