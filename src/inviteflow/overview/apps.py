from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The workspace's home: every campaign at a glance and what needs attention.

    It reads from every domain app and nothing imports it, so it sits above them all."""

    name = "inviteflow.overview"
    label = "overview"
