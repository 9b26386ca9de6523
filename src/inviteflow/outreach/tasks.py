"""Background entry points of outreach. Both are safe to run twice, or at the same time:
delivery claims each message with a conditional UPDATE (see delivery.py)."""

from dataclasses import asdict

from inviteflow.core.enqueue import EMAIL, background, job
from inviteflow.core.scheduler import every
from inviteflow.outreach import delivery, services

SWEEP_EVERY_S = 300
SWEEP_OUTBOX = job("outreach.sweep_outbox")


@background(services.DELIVER_BATCH, EMAIL)
def deliver_outreach_batch(batch_id: int) -> dict[str, int]:
    """Deliver a batch's queued messages; the counts are the task's visible result."""
    return asdict(delivery.deliver_batch(batch_id))


@background(SWEEP_OUTBOX, EMAIL)
def sweep_outbox() -> list[int]:
    """Finish batches a dead worker left: stale claims are taken over or settled."""
    return delivery.sweep()


every(SWEEP_EVERY_S, SWEEP_OUTBOX)
