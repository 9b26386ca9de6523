from django.apps import AppConfig


class TiktokConfig(AppConfig):
    name = "inviteflow.tiktok"
    label = "tiktok"
