from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "inviteflow.links"
    label = "links"

    def ready(self) -> None:
        """A deleted creator's links are all retired, on whatever campaign."""
        from inviteflow.creators import services as creator_services
        from inviteflow.links import services

        creator_services.on_delete(services.retire_links_of)
