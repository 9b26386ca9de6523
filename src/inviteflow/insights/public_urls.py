"""Shared reports, mounted at /r/: no login, the token is the key."""

from django.urls import path

from inviteflow.insights import public_views

urlpatterns = [
    path("<str:token>/", public_views.shared_report, name="shared_report"),
]
