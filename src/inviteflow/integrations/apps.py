from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "inviteflow.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from inviteflow.core import events
        from inviteflow.integrations import outbox

        # The domain apps announce changes through core.events; this records the webhooks.
        events.connect(outbox.emit)
