from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "inviteflow.outreach"
    label = "outreach"

    def ready(self) -> None:
        from inviteflow.outreach import tasks  # noqa: F401  registers the periodic sweep
