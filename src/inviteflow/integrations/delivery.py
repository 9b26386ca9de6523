"""Sending deliveries: at least once, with exponential backoff over about three days.

A worker claims a due delivery with a conditional UPDATE (two workers never send it at the
same time; a dead worker's claim expires), posts the event's body signed with the
endpoint's secret(s), and records the answer: 2xx delivered; anything else (an error
status, a redirect, a timeout, a refused address) is retried later until MAX_ATTEMPTS.
An endpoint whose attempts have all failed for PAUSE_AFTER is paused and its owners told.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from inviteflow import outbound
from inviteflow.integrations import emails, services, slack
from inviteflow.integrations.models import Delivery, Endpoint
from inviteflow.integrations.signing import HEADER, signature_header

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=12)
MAX_ATTEMPTS = 12  # 1 min, 4, 16, 64, 256, then 12 h: the last attempt ~3.2 days after the first
PAUSE_AFTER = timedelta(days=3)
CLAIM_FOR = timedelta(minutes=2)  # well past the attempt's timeout
SWEEP_BATCH = 200
Status = Delivery.Status


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: ×4 each time, at most 12 hours."""
    return min(FIRST_RETRY * 4 ** (attempts - 1), LONGEST_WAIT)


def jittered(delay: timedelta, spread: float = 0.1) -> timedelta:
    """Up to `spread` later, so retries after an outage do not all arrive at once."""
    return delay * (1 + random.uniform(0, spread))


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None = None
    excerpt: str = ""
    error: str = ""


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Attempt a due delivery once; its status afterwards (unchanged when not due or taken)."""
    moment = now or timezone.now()
    if not _claim(delivery_id, moment):
        return (
            Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or ""
        )
    delivery = Delivery.objects.select_related("endpoint__workspace", "event").get(pk=delivery_id)
    outcome = attempt(delivery, moment)
    _record(delivery, outcome, moment)
    return delivery.status


def send_due(now: datetime | None = None) -> int:
    """Attempt the deliveries that are due (retries, and any whose task went missing)."""
    moment = now or timezone.now()
    due = Delivery.objects.filter(_due(moment)).order_by("next_attempt_at")
    ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
    for delivery_id in ids:
        deliver(delivery_id, moment)
    return len(ids)


def _due(moment: datetime) -> Q:
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment)
    return Q(status=Status.PENDING, next_attempt_at__lte=moment, endpoint__active=True) & unclaimed


def _claim(delivery_id: int, moment: datetime) -> bool:
    claimed = Delivery.objects.filter(_due(moment), pk=delivery_id)
    return claimed.update(claimed_until=moment + CLAIM_FOR) == 1


def attempt(delivery: Delivery, moment: datetime) -> Outcome:
    """One POST of the event's body, signed now; never raises for the receiver's faults."""
    body, headers = _request(delivery, moment)
    try:
        answer = outbound.post_webhook(
            delivery.endpoint.destination,
            body,
            headers,
            allowlist=services.allowlist(),
            timeout=settings.OUTGOING_WEBHOOKS_TIMEOUT_SECONDS,
        )
    except outbound.DestinationRefused as exc:
        return Outcome(False, error=f"refused: {exc}")
    except outbound.TimeoutException:
        return Outcome(False, error="timed out")
    except outbound.TransportError as exc:
        return Outcome(
            False, error=f"could not connect: {exc}" if str(exc) else "could not connect"
        )
    return _judge(answer)


def _request(delivery: Delivery, moment: datetime) -> tuple[bytes, dict[str, str]]:
    """The signed event, or for a Slack endpoint the event as a Slack message."""
    if delivery.endpoint.is_slack:
        return slack.message_body(delivery.event), {}
    body = delivery.event.body.encode()
    secrets = delivery.endpoint.signing_secrets(moment)
    headers = {
        HEADER: signature_header(secrets, int(moment.timestamp()), body),
        "Inviteflow-Event-Id": delivery.event.public_id,
        "Inviteflow-Event-Type": delivery.event.type,
    }
    return body, headers


def _judge(answer: outbound.WebhookAnswer) -> Outcome:
    if 200 <= answer.status < 300:
        return Outcome(True, answer.status, answer.excerpt)
    error = "redirects are not followed" if 300 <= answer.status < 400 else "not a 2xx answer"
    return Outcome(False, answer.status, answer.excerpt, error)


def _record(delivery: Delivery, outcome: Outcome, moment: datetime) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.claimed_until = moment, None
    delivery.response_status, delivery.response_excerpt = outcome.status, outcome.excerpt
    delivery.error = outcome.error[:500]
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Status.DELIVERED,
            moment,
            None,
        )
        _endpoint_succeeded(delivery.endpoint)
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Status.FAILED, None
    else:
        delivery.next_attempt_at = moment + jittered(retry_delay(delivery.attempts))
    delivery.save()
    if not outcome.delivered:
        _endpoint_failed(delivery.endpoint, moment)


def _endpoint_succeeded(endpoint: Endpoint) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None, consecutive_failures=0)


def _endpoint_failed(endpoint: Endpoint, moment: datetime) -> None:
    endpoint.refresh_from_db(fields=["failing_since", "consecutive_failures", "active"])
    endpoint.failing_since = endpoint.failing_since or moment
    endpoint.consecutive_failures += 1
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=endpoint.failing_since, consecutive_failures=endpoint.consecutive_failures
    )
    if moment - endpoint.failing_since >= PAUSE_AFTER:
        pause_failing(endpoint)


def pause_failing(endpoint: Endpoint) -> bool:
    """Pause an endpoint that keeps failing and email the owners; False if already paused."""
    days = PAUSE_AFTER.days
    reason = f"Every delivery failed for {days} days ({endpoint.consecutive_failures} attempts)."
    paused = Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, paused_reason=reason
    )
    if paused:
        endpoint.active, endpoint.paused_reason = False, reason
        logger.warning("webhook endpoint %s paused: %s", endpoint.pk, reason)
        emails.send_paused(endpoint)
    return bool(paused)
