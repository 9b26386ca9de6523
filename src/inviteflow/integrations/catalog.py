"""The event types an endpoint can subscribe to, and each one's payload.

A payload is the API's resource for the row that changed (the same schema as its GET),
read again inside the emitting transaction. `holds` is the event's premise on that row: an
emit whose premise no longer holds (a link retired before it became ready) sends nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from inviteflow.accounts.models import Workspace
from inviteflow.api.campaigns import CampaignOut
from inviteflow.api.links import InviteLinkOut
from inviteflow.api.outreach import MessageOut
from inviteflow.api.posts import PostOut
from inviteflow.campaigns.models import Campaign
from inviteflow.insights.models import InsightsSync
from inviteflow.integrations.summary_figures import summary_data
from inviteflow.links.models import InviteLink
from inviteflow.outreach.models import OutboxMessage
from inviteflow.posts.models import Post

TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    rows: Callable[[], QuerySet[Any]]
    data: Callable[[Any], dict[str, Any]]
    holds: Callable[[Any], bool]


def link_data(link: InviteLink) -> dict[str, Any]:
    return {**InviteLinkOut.from_orm(link).model_dump(mode="json"), "campaign_id": link.campaign_id}


def post_data(post: Post) -> dict[str, Any]:
    return PostOut.from_orm(post).model_dump(mode="json")


def message_data(message: OutboxMessage) -> dict[str, Any]:
    return MessageOut.from_orm(message).model_dump(mode="json")


def campaign_data(campaign: Campaign) -> dict[str, Any]:
    return CampaignOut.from_orm(campaign).model_dump(mode="json")


def insights_data(sync: InsightsSync) -> dict[str, Any]:
    finished = sync.finished_at.isoformat() if sync.finished_at else None
    return {
        "campaign_id": sync.campaign_id,
        "reports_fetched": sync.reports_fetched,
        "posts_updated": sync.posts_updated,
        "posts_finalized": sync.posts_finalized,
        "finished_at": finished,
    }


def _links() -> QuerySet[InviteLink]:
    return InviteLink.objects.all()


def _posts() -> QuerySet[Post]:
    return Post.objects.all()


def _messages() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()


def _campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.all()


def _syncs() -> QuerySet[InsightsSync]:
    return InsightsSync.objects.all()


def _workspaces() -> QuerySet[Workspace]:
    return Workspace.objects.all()


def _link(name: str, description: str, status: str) -> EventType:
    return EventType(name, description, _links, link_data, lambda row: row.status == status)


def _post(name: str, description: str, holds: Callable[[Post], bool]) -> EventType:
    return EventType(name, description, _posts, post_data, holds)


def _message(name: str, description: str, status: str) -> EventType:
    return EventType(name, description, _messages, message_data, lambda m: m.status == status)


Compliance, LinkStatus, MessageStatus = Post.Compliance, InviteLink.Status, OutboxMessage.Status

EVENT_TYPES: dict[str, EventType] = {
    kind.name: kind
    for kind in [
        _link("link.ready", "An invite link got its TikTok URL", LinkStatus.ACTIVE),
        _link("link.failed", "TikTok refused to make an invite link", LinkStatus.FAILED),
        _post("post.attributed", "A post was linked to a campaign", lambda post: post.is_linked),
        _post(
            "post.requirements_failed",
            "A post was found not to meet its campaign's requirements (see its checks)",
            lambda post: any(c.get("result") == "fail" for c in post.checks.values()),
        ),
        _post(
            "post.at_risk",
            "An unlinked branded post was found (at risk of takedown)",
            lambda post: post.compliance == Compliance.AT_RISK,
        ),
        _post(
            "post.remediated",
            "An at-risk post was linked (campaign code or linking request)",
            lambda post: post.compliance == Compliance.REMEDIATED,
        ),
        _post(
            "post.removed",
            "TikTok took an at-risk post down",
            lambda post: post.compliance == Compliance.REMOVED,
        ),
        _message("outreach.sent", "An outreach email was sent", MessageStatus.SENT),
        _message("outreach.failed", "An outreach email could not be sent", MessageStatus.FAILED),
        EventType(
            "insights.updated",
            "A campaign's insights were refreshed from TikTok",
            _syncs,
            insights_data,
            lambda sync: sync.posts_updated > 0,
        ),
        EventType(
            "campaign.completed",
            "A campaign was marked completed",
            _campaigns,
            campaign_data,
            lambda campaign: campaign.status == Campaign.Status.COMPLETED,
        ),
        EventType(
            "summary.daily",
            "Once a day: campaigns in flight, posts at risk, failed links and emails, views",
            _workspaces,
            summary_data,
            lambda workspace: True,
        ),
    ]
}


def event_type(name: str) -> EventType:
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise ValueError(f"no event type is named {name!r}") from None


def current(kind: EventType, subjects: tuple[Model, ...]) -> list[Any]:
    """The subjects as they are now in this transaction, in the order given."""
    rows = kind.rows().in_bulk([subject.pk for subject in subjects])
    return [rows[subject.pk] for subject in subjects if subject.pk in rows]
