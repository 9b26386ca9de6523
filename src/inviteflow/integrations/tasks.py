"""Background entry points of outgoing webhooks, on the local queue. Both are safe to run
twice or at the same time: a delivery is claimed with a conditional UPDATE."""

from inviteflow.core.enqueue import background, job
from inviteflow.core.scheduler import every
from inviteflow.integrations import delivery, outbox

SEND_DUE_EVERY_S = 60
SEND_DUE_WEBHOOKS = job("integrations.send_due_webhooks")


@background(outbox.DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: int) -> str:
    """The first attempt, right after the change committed; the delivery's status after it."""
    return delivery.deliver(delivery_id)


@background(SEND_DUE_WEBHOOKS)
def send_due_webhooks() -> int:
    """Retries that are due, and deliveries whose task was lost."""
    return delivery.send_due()


every(SEND_DUE_EVERY_S, SEND_DUE_WEBHOOKS)
