from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "inviteflow.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        """Attribution must know videos linked through campaign codes and linking requests."""
        from inviteflow.compliance import resolvers

        resolvers.install()
