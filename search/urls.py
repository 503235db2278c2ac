"""The search page's route, mounted at the site root by policysite/urls.py. Not namespaced: the
URL name stays "search", which templates reverse ({% url 'search' %})."""

from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search, name="search"),
]
