"""Read side of compliance, for pages and the API. Every query starts from a campaign that
came through the access helpers; each runs a fixed number of queries, whatever the size."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.compliance.models import CampaignCode, ComplianceScan, Remedy
from inviteflow.outreach.models import OutboxMessage
from inviteflow.posts.models import Post

STATES = tuple(Post.Compliance.values)  # compliant, at_risk, remediated, removed
FLAGGED = (Post.Compliance.AT_RISK, Post.Compliance.REMEDIATED, Post.Compliance.REMOVED)


def _by_state() -> dict[str, Count]:
    return {state: Count("id", filter=Q(compliance=state)) for state in STATES}


def counts(campaign: Campaign) -> dict[str, int]:
    """compliant / at_risk / remediated / removed posts of the campaign."""
    return Post.objects.filter(campaign=campaign).aggregate(**_by_state())


@dataclass
class CreatorCompliance:
    creator_id: int
    name: str
    handle: str
    compliant: int
    at_risk: int
    remediated: int
    removed: int


def by_creator(campaign: Campaign) -> list[CreatorCompliance]:
    """Creators with posts on the campaign, those with posts at risk first."""
    rows: Any = (
        Post.objects.filter(campaign=campaign)
        .values("creator_id", "creator__name", "creator__handle")
        .annotate(**_by_state())
        .order_by()
    )
    found = [
        CreatorCompliance(
            row["creator_id"],
            row["creator__name"],
            row["creator__handle"],
            *(row[state] for state in STATES),
        )
        for row in rows
    ]
    return sorted(found, key=lambda row: (-row.at_risk, row.name, row.creator_id))


def at_risk(campaign: Campaign) -> QuerySet[Post]:
    """Posts at risk, oldest first: the nearest takedown comes first."""
    return (
        Post.objects.filter(campaign=campaign, compliance=Post.Compliance.AT_RISK)
        .select_related("creator", "finding", "link_request")
        .order_by("published_at", "id")
    )


def resolved(campaign: Campaign) -> QuerySet[Post]:
    """Posts the scan flagged that are no longer at risk (remediated or removed)."""
    return (
        Post.objects.filter(campaign=campaign, compliance__in=FLAGGED[1:])
        .select_related("creator", "finding", "link_request")
        .order_by("-updated_at", "-id")
    )


def remedies_of(campaign: Campaign) -> QuerySet[Remedy]:
    """The audit trail, newest first; each with its email's status as the Outbox has it now
    (`email_now`: queued, sending, sent or failed; None without an email) and its id."""
    email = OutboxMessage.objects.filter(batch_id=OuterRef("email_batch_id")).order_by("id")
    return (
        Remedy.objects.filter(campaign=campaign)
        .select_related("creator", "post")
        .annotate(
            email_now=Subquery(email.values("status")[:1]),
            email_message_id=Subquery(email.values("id")[:1]),
        )
    )


def emails_on_their_way(remedies: list[Remedy]) -> bool:
    """Some remedy's email is still queued: the Outbox will say sent (or failed) soon."""
    waiting = (OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING)
    return any(getattr(remedy, "email_now", None) in waiting for remedy in remedies)


def codes_of(campaign: Campaign) -> QuerySet[CampaignCode]:
    return campaign.campaign_codes.filter(status=CampaignCode.Status.ACTIVE).annotate(
        creators=Count("orders")
    )


def scan_of(campaign: Campaign) -> ComplianceScan | None:
    return ComplianceScan.objects.filter(campaign=campaign).first()


def time_left(takedown_at: datetime | None, now: datetime | None = None) -> timedelta | None:
    """Until TikTok's usual takedown; zero once it is due."""
    if takedown_at is None:
        return None
    return max(timedelta(0), takedown_at - (now or timezone.now()))


def hours_left(takedown_at: datetime | None) -> float | None:
    left = time_left(takedown_at)
    return None if left is None else round(left.total_seconds() / 3600, 1)
