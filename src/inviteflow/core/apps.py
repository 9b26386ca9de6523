from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "inviteflow.core"
    label = "core"
