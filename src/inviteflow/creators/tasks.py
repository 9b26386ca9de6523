"""Background entry points of the creators app."""

from inviteflow.core.enqueue import background
from inviteflow.creators import services


@background(services.IMPORT_CREATORS)
def import_creators(import_id: int) -> None:
    """Import a confirmed CSV. Safe to run twice: the service claims the import first."""
    services.run_import(import_id)
