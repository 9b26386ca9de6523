from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "inviteflow.links"
    label = "links"
