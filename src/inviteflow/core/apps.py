from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "inviteflow.core"
    label = "core"

    def ready(self) -> None:
        from inviteflow.core import checks  # noqa: F401  registers the system checks
