from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "inviteflow.campaigns"
    label = "campaigns"
