"""The TikTok webhook receiver, mounted at /webhooks/ (public: signed, token in the path).

Each delivery is counted in /metrics by outcome (core.metrics.webhook_intake)."""

from django.urls import path

from inviteflow.core.metrics import webhook_intake
from inviteflow.posts import views

urlpatterns = [
    path("tiktok/<str:token>/", webhook_intake(views.tiktok_webhook), name="tiktok_webhook"),
]
