from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "inviteflow.outreach"
    label = "outreach"
