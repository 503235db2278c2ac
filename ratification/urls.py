"""Votes live at /votes/<id>/ (stable, short, quoted in announcements); the status of a policy
version lives under the policy's path. Plain Django views, before Wagtail's catch-all."""

from django.urls import path

from . import views

app_name = "ratification"

urlpatterns = [
    path("votes/", views.vote_list, name="votes"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/edit/", views.vote_edit, name="edit"),
    path("votes/<int:pk>/open/", views.vote_open, name="open"),
    path("votes/<int:pk>/cancel/", views.vote_cancel, name="cancel"),
    path("votes/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("votes/<int:pk>/ballot/recorded/", views.ballot_recorded, name="ballot_recorded"),
    path("votes/<int:pk>/eligibility/", views.eligibility_check, name="eligibility"),
    path("votes/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("votes/<int:pk>/results/", views.results, name="results"),
    path("votes/<int:pk>/results.json", views.results_json, name="results_json"),
    path("votes/<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("votes/<int:pk>/ballots.json", views.ballots_json, name="ballots_json"),
    path("votes/<int:pk>/ballots.csv", views.ballots_csv, name="ballots_csv"),
    path("votes/<int:pk>/voters/", views.voters, name="voters"),
    path("votes/<int:pk>/voters.json", views.voters_json, name="voters_json"),
    path("votes/<int:pk>/voters.csv", views.voters_csv, name="voters_csv"),
    path("votes/<int:pk>/strike/", views.strike, name="strike"),
    path("votes/<int:pk>/log/", views.audit, name="log"),
    path("<slug:slug>/ratification/", views.status, name="status"),
    path("<slug:slug>/ratification/<int:number>/", views.status, name="status_version"),
    path("<slug:slug>/ratification/votes/new/", views.vote_new, name="new"),
    path("<slug:slug>/ratification/<int:number>/board/new/", views.board_new, name="board_new"),
    path(
        "<slug:slug>/ratification/<int:number>/external/new/",
        views.external_new,
        name="external_new",
    ),
]
