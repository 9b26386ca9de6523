"""Periodic housekeeping of the task system itself, and of data kept past its use."""

from django.conf import settings

from inviteflow.core import retention, workers
from inviteflow.core.enqueue import background, job
from inviteflow.core.scheduler import every, periodic

PRUNE_OLD_DATA = job("core.prune_old_data")


@periodic("core.recover_abandoned_tasks", every_seconds=15)
def recover_abandoned_tasks() -> None:
    """Tasks whose worker died are failed and enqueued again within seconds, not left RUNNING."""
    workers.recover_abandoned_tasks()


@background(PRUNE_OLD_DATA)
def prune_old_data() -> dict[str, int]:
    """Rows past their retention (settings: *_RETENTION_DAYS): rows changed per pruner."""
    return {pruned.name: pruned.changed for pruned in retention.prune_all()}


every(settings.PRUNE_EVERY_HOURS * 3600, PRUNE_OLD_DATA)
