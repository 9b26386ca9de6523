"""Background entry points of outreach. Both are safe to run twice, or at the same time:
delivery claims each message with a conditional UPDATE (see delivery.py)."""

from dataclasses import asdict

from django.db import transaction
from django_tasks import task

from inviteflow.core.scheduler import periodic
from inviteflow.outreach import delivery

SWEEP_EVERY_S = 300


@task()
def deliver_outreach_batch(batch_id: int) -> dict[str, int]:
    """Deliver a batch's queued messages; the counts are the task's visible result."""
    return asdict(delivery.deliver_batch(batch_id))


@task()
def sweep_outbox() -> list[int]:
    """Finish batches a dead worker left: stale claims are taken over or settled."""
    return delivery.sweep()


@periodic("outreach.sweep_outbox", SWEEP_EVERY_S)
def enqueue_sweep() -> None:
    transaction.on_commit(sweep_outbox.enqueue)
