"""The creator's page, mounted at /c/: no login, the token is the key."""

from django.urls import path

from inviteflow.outreach import public_views

urlpatterns = [
    path("<str:token>/", public_views.creator_page, name="creator_page"),
]
