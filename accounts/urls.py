from django.urls import path

from . import views

urlpatterns = [
    path("accounts/profile/", views.profile, name="account_profile"),
    path(
        "accounts/profile/identities/<int:pk>/refresh/",
        views.refresh_activity,
        name="account_refresh_activity",
    ),
    path("accounts/delete/", views.delete_account, name="account_delete"),
]
