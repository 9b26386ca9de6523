"""The TikTok webhook receiver, mounted at /webhooks/ (public: signed, token in the path)."""

from django.urls import path

from inviteflow.posts import views

urlpatterns = [
    path("tiktok/<str:token>/", views.tiktok_webhook, name="tiktok_webhook"),
]
