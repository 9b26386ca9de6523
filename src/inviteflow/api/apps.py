from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "inviteflow.api"
    label = "api"
