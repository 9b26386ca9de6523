"""Background entry points of the creators app."""

from django_tasks import task

from inviteflow.creators import services


@task()
def import_creators(import_id: int) -> None:
    """Import a confirmed CSV. Safe to run twice: the service claims the import first."""
    services.run_import(import_id)
