from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "inviteflow.insights"
    label = "insights"
    verbose_name = "Post insights and reports"
