from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "inviteflow.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        """A deleted creator leaves every roster (the creators app cannot import this one)."""
        from inviteflow.campaigns import services
        from inviteflow.creators import services as creator_services

        creator_services.on_delete(services.leave_every_roster)
