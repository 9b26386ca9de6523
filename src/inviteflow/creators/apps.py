from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "inviteflow.creators"
    label = "creators"
