"""Background entry points of outgoing webhooks, on the local queue. Both are safe to run
twice or at the same time: a delivery is claimed with a conditional UPDATE."""

from inviteflow.core.enqueue import background, job
from inviteflow.core.scheduler import every
from inviteflow.integrations import delivery, outbox, summary

SEND_DUE_EVERY_S = 60
SEND_DUE_WEBHOOKS = job("integrations.send_due_webhooks")
DAILY_SUMMARY_TICK_S = 3600
SEND_DAILY_SUMMARIES = job("integrations.send_daily_summaries")


@background(outbox.DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: int) -> str:
    """The first attempt, right after the change committed; the delivery's status after it."""
    return delivery.deliver(delivery_id)


@background(SEND_DUE_WEBHOOKS)
def send_due_webhooks() -> int:
    """Retries that are due, and deliveries whose task was lost."""
    return delivery.send_due()


every(SEND_DUE_EVERY_S, SEND_DUE_WEBHOOKS)


@background(SEND_DAILY_SUMMARIES)
def send_daily_summaries() -> int:
    """Hourly: today's (UTC) `summary.daily` for workspaces that have none yet."""
    return summary.send_daily_summaries()


every(DAILY_SUMMARY_TICK_S, SEND_DAILY_SUMMARIES)
