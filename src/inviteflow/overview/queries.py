"""Read side of the overview: the workspace's campaigns in flight and what needs attention.

A fixed number of queries whatever the number of campaigns, creators or posts: per-campaign
figures are subqueries of one campaign query, the rest are grouped aggregates.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.insights.models import PostInsights
from inviteflow.insights.sync import DEFAULT_REGION
from inviteflow.links.models import InviteLink
from inviteflow.outreach.models import OutboxMessage
from inviteflow.posts.models import Post
from inviteflow.tiktok.connections import get_connection

CAMPAIGN_ROWS = 20  # in flight, ending soonest first; the Campaigns page has the rest
AT_RISK_ROWS = 10
ENDING_SOON = timedelta(days=7)  # creators who still owe posts this close to the end


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """The number of rows of `queryset` (filtered on OuterRef("pk")) as a campaign column."""
    counted = queryset.order_by().values("campaign_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _required() -> Coalesce:
    """Posts the roster owes in all: each creator's override, else the campaign's number."""
    each = Coalesce("posts_required_override", OuterRef("posts_required"))
    owed = (
        CampaignCreator.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign_id")
        .annotate(n=Sum(each))
        .values("n")
    )
    return Coalesce(Subquery(owed, output_field=IntegerField()), 0)


def campaigns_in_flight(workspace: Workspace) -> QuerySet[Campaign]:
    """Draft and active campaigns with their figures, ending soonest first (one query)."""
    posts = Post.objects.filter(campaign=OuterRef("pk"))
    links = InviteLink.objects.filter(campaign=OuterRef("pk"))
    return (
        scoped(Campaign, workspace)
        .exclude(status=Campaign.Status.COMPLETED)
        .annotate(
            roster_size=_count(CampaignCreator.objects.filter(campaign=OuterRef("pk"))),
            required=_required(),
            delivered=_count(posts.filter(counts=True)),
            attributed=_count(posts.exclude(linked_via="")),
            at_risk=_count(posts.filter(compliance=Post.Compliance.AT_RISK)),
            needs_decision=_count(posts.exclude(decision_needed="")),
            links_pending=_count(links.filter(status=InviteLink.Status.PENDING)),
            links_failed=_count(links.filter(status=InviteLink.Status.FAILED)),
        )
        .order_by("ends_on", "id")
    )


@dataclass
class Reach:
    """A campaign's insights to date in its main region (regions report the same posts)."""

    region: str
    views: int = 0
    engagement: int = 0
    posts: int = 0


def reach_by_campaign(workspace: Workspace, campaigns: list[Campaign]) -> dict[int, Reach]:
    """Views and engagements of each campaign's reported posts, in its first target region
    (the report's default region): one query for every campaign and region, one for the
    connection's country."""
    connection = get_connection(workspace)
    fallback = (connection.country if connection else "") or DEFAULT_REGION
    found = {c.pk: Reach((c.countries[0] if c.countries else fallback).upper()) for c in campaigns}
    rows = (
        PostInsights.objects.filter(campaign_id__in=list(found))
        .values("campaign_id", "country_code")
        .annotate(views=Sum("video_views"), engagement=Sum("engagement_count"), posts=Count("id"))
        .order_by()
    )
    for row in rows:
        reach = found[row["campaign_id"]]
        if row["country_code"] == reach.region:
            reach.views, reach.engagement = row["views"] or 0, row["engagement"] or 0
            reach.posts = row["posts"]
    return found


def at_risk_posts(workspace: Workspace) -> QuerySet[Post]:
    """Posts at risk of takedown, the nearest takedown first."""
    return (
        scoped(Post, workspace)
        .filter(compliance=Post.Compliance.AT_RISK)
        .select_related("campaign", "creator", "finding")
        .order_by("finding__takedown_at", "published_at", "id")
    )


def owing_near_end(workspace: Workspace, today: date) -> dict[int, int]:
    """Creators who still owe posts, per active campaign ending within ENDING_SOON."""
    counted = (
        Post.objects.filter(
            campaign=OuterRef("campaign_id"), creator=OuterRef("creator_id"), counts=True
        )
        .order_by()
        .values("creator_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        CampaignCreator.objects.filter(
            campaign__workspace=workspace,
            campaign__status=Campaign.Status.ACTIVE,
            campaign__ends_on__gte=today,
            campaign__ends_on__lte=today + ENDING_SOON,
        )
        .annotate(
            counted=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
            owed=Coalesce("posts_required_override", "campaign__posts_required"),
        )
        .filter(counted__lt=F("owed"))
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("id"))
    )
    return {row["campaign_id"]: row["n"] for row in rows}


def failed_emails(workspace: Workspace, since: datetime | None = None) -> int:
    """Emails that could not be sent; with `since`, those last attempted (else queued) since."""
    failed = scoped(OutboxMessage, workspace).filter(status=OutboxMessage.Status.FAILED)
    if since is not None:
        failed = failed.alias(tried=Coalesce("claimed_at", "created_at")).filter(tried__gte=since)
    return failed.count()


# -- What needs attention -------------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    """One thing to fix, and the page where it is fixed."""

    kind: str  # failed_links, at_risk, needs_decision, owing, failed_emails
    text: str
    url: str
    action: str
    due: datetime | None = None


@dataclass
class Overview:
    campaigns: list[Any]  # Campaigns with the figures campaigns_in_flight annotates
    reach: dict[int, Reach]
    at_risk: list[Post]
    at_risk_count: int
    attention: list[Attention] = field(default_factory=list)
    more_campaigns: bool = False

    @property
    def totals(self) -> dict[str, int]:
        return {
            "required": sum(c.required for c in self.campaigns),
            "delivered": sum(c.delivered for c in self.campaigns),
            "views": sum(r.views for r in self.reach.values()),
            "engagement": sum(r.engagement for r in self.reach.values()),
        }


def overview_of(workspace: Workspace) -> Overview:
    found: list[Any] = list(campaigns_in_flight(workspace)[: CAMPAIGN_ROWS + 1])
    campaigns = found[:CAMPAIGN_ROWS]
    at_risk = at_risk_posts(workspace)
    reach = reach_by_campaign(workspace, campaigns)
    for campaign in campaigns:
        campaign.reach = reach[campaign.pk]  # for the template
    view = Overview(
        campaigns=campaigns,
        reach=reach,
        at_risk=list(at_risk[:AT_RISK_ROWS]),
        at_risk_count=at_risk.count(),
        more_campaigns=len(found) > CAMPAIGN_ROWS,
    )
    view.attention = needs_attention(workspace, view)
    return view


def needs_attention(workspace: Workspace, view: Overview) -> list[Attention]:
    """Failed links, posts at risk, posts waiting for a decision, creators owing posts near
    the end, failed emails."""
    slug = workspace.slug
    items = [_failed_links(slug, c) for c in view.campaigns if c.links_failed]
    items += [_at_risk(slug, post) for post in view.at_risk]
    items += [_needs_decision(slug, c) for c in view.campaigns if c.needs_decision]
    by_id = {c.pk: c for c in view.campaigns}
    for campaign_id, owing in owing_near_end(workspace, timezone.localdate()).items():
        if campaign_id in by_id:
            items.append(_owing(slug, by_id[campaign_id], owing))
    failed = failed_emails(workspace)
    if failed:
        items.append(
            Attention(
                "failed_emails",
                f"{failed} email{_s(failed)} could not be sent",
                reverse("outbox", args=[slug]) + "?status=failed",
                "Open the Outbox",
            )
        )
    return items


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _failed_links(slug: str, campaign: Any) -> Attention:
    n = campaign.links_failed
    return Attention(
        "failed_links",
        f"{n} invite link{_s(n)} of {campaign.name} could not be made on TikTok",
        reverse("campaign_detail", args=[slug, campaign.pk]) + "?links=failed",
        "See why and retry",
    )


def _at_risk(slug: str, post: Post) -> Attention:
    finding = getattr(post, "finding", None)
    return Attention(
        "at_risk",
        f"@{post.creator.handle} posted for {post.campaign.name} without the invite link",
        reverse("compliance_campaign", args=[slug, post.campaign_id]) + f"#at-risk-{post.pk}",
        "Send a campaign code",
        due=finding.takedown_at if finding else None,
    )


def _needs_decision(slug: str, campaign: Any) -> Attention:
    n = campaign.needs_decision
    return Attention(
        "needs_decision",
        f"{n} post{_s(n)} of {campaign.name} arrived through a retired invite link: "
        f"count {'it' if n == 1 else 'them'} or not",
        reverse("campaign_posts", args=[slug, campaign.pk]) + "?state=needs_decision",
        "Decide",
    )


def _owing(slug: str, campaign: Campaign, owing: int) -> Attention:
    return Attention(
        "owing",
        f"{owing} creator{_s(owing)} still owe{'s' if owing == 1 else ''} posts for "
        f"{campaign.name}, which ends {campaign.ends_on:%-d %b}",
        reverse("campaign_progress", args=[slug, campaign.pk]),
        "See who and why",
        due=datetime.combine(
            campaign.ends_on + timedelta(days=1),
            datetime.min.time(),
            timezone.get_current_timezone(),
        ),
    )
