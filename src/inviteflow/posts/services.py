"""State changes of post attribution: webhooks stored and applied, posts attributed and
described, requirement checks, link counters, sync state, "why is my post missing".

Everything here is idempotent: a webhook delivered twice, an `uploaded` event after its
`published` one, or reconciliation finding a video a webhook already brought, changes
nothing the second time. TikTok is never called from here (see reconcile.py), so none of
these transactions waits on the network.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils import timezone

from inviteflow.accounts.models import User, Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core import events
from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.core.sync import request_run
from inviteflow.links import services as link_services
from inviteflow.links.models import InviteLink
from inviteflow.links.services import LinkCount
from inviteflow.posts import checks, resolvers, webhooks
from inviteflow.posts.models import (
    CampaignSync,
    CountDecision,
    MissingPosts,
    Post,
    WebhookEndpoint,
    WebhookEvent,
)
from inviteflow.tiktok import connections, schemas
from inviteflow.tiktok.models import TikTokConnection

LinkedVia, ReviewState, Compliance = Post.LinkedVia, Post.ReviewState, Post.Compliance
LinkStatus = InviteLink.Status
Decision = Post.CountDecision
PAID_PARTNERSHIP = "PAID_PARTNERSHIP"
THROUGH_RETIRED_LINK = "arrived through a retired invite link"
REASON_MAX = 1000

PROCESS_WEBHOOK_EVENT = job("posts.process_webhook_event")
FETCH_POST_DETAILS = job("posts.fetch_post_details")
SYNC_CAMPAIGN_POSTS = job("posts.sync_campaign_posts")
SUBSCRIBE_WEBHOOKS = job("posts.subscribe_webhooks")
SYNC_WORKSPACE_POSTS = job("posts.sync_workspace_posts")


# -- Webhooks -------------------------------------------------------------------------------


def record_webhook(workspace: Workspace, body: bytes) -> WebhookEvent | None:
    """Store a verified delivery verbatim and process it after commit; None for a duplicate
    (the same events again, in whatever form). webhooks.Unreadable for a body that could
    never be processed: nothing is stored."""
    payload = webhooks.read(body)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                workspace=workspace,
                digest=webhooks.identity(payload),
                body=body.decode("utf-8"),
            )
            enqueue_on_commit(PROCESS_WEBHOOK_EVENT, event.pk)
    except IntegrityError:
        return None  # the same events again: TikTok delivers at least once
    return event


def process_event(event: WebhookEvent) -> dict[str, list[str]]:
    """Attribute every video the delivery names; record what happened on the event."""
    parsed = webhooks.parse(event.body)
    outcome: dict[str, list[str]] = {"attributed": [], "unmatched": [], "skipped": parsed.skipped}
    with transaction.atomic():
        touched = _attribute_events(event.workspace, parsed.events, outcome)
        for campaign, link_ids in touched.values():
            settle(campaign, link_ids)
            enqueue_on_commit(FETCH_POST_DETAILS, campaign.pk)
        WebhookEvent.objects.filter(pk=event.pk).update(
            processed_at=timezone.now(), outcome=outcome
        )
    return outcome


def _attribute_events(
    workspace: Workspace, events: list[webhooks.VideoEvent], outcome: dict[str, list[str]]
) -> dict[int, tuple[Campaign, set[int]]]:
    """Each event's post; returns the campaigns touched, with the links whose posts changed."""
    touched: dict[int, tuple[Campaign, set[int]]] = {}
    for event in events:
        target = _resolve(workspace, event)
        if target is None:
            outcome["unmatched"].append(event.video_id)
            continue
        post = attribute(
            workspace,
            target,
            event.video_id,
            Post.FoundBy.WEBHOOK,
            review_state=event.review_state,
            seen_at=event.event_time,
        )
        outcome["attributed"].append(event.video_id)
        _, link_ids = touched.setdefault(post.campaign_id, (post.campaign, set()))
        if post.invite_link_id:
            link_ids.add(post.invite_link_id)
    return touched


def _resolve(workspace: Workspace, event: webhooks.VideoEvent) -> resolvers.Target | None:
    return resolvers.resolve(workspace, event.tto_tcm_account_id, event.campaign_id, event.video_id)


def endpoint_for(workspace: Workspace) -> WebhookEndpoint:
    endpoint, _ = WebhookEndpoint.objects.get_or_create(workspace=workspace)
    return endpoint


def record_subscription(endpoint: WebhookEndpoint, account_id: str, subscription_id: str) -> None:
    """Also shown on the connection (Settings → TikTok)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        account_id=account_id,
        subscription_id=subscription_id,
        subscribed_at=timezone.now(),
        last_error="",
    )
    connections.record_subscription(endpoint.workspace, subscription_id)


def record_subscription_error(endpoint: WebhookEndpoint, error: str) -> None:
    """No live subscription: the periodic check subscribes again."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        subscription_id="", last_error=error[:2000]
    )
    connections.record_subscription(endpoint.workspace, "")


def after_connect(connection: TikTokConnection) -> None:
    """A workspace connected (or reconnected) to TikTok: subscribe to its webhooks, replacing
    a subscription made with an earlier (maybe revoked) token, and sync its campaigns."""
    enqueue_on_commit(SUBSCRIBE_WEBHOOKS, connection.workspace_id, True)
    enqueue_on_commit(SYNC_WORKSPACE_POSTS, connection.workspace_id)


# -- Posts ----------------------------------------------------------------------------------


def attribute(
    workspace: Workspace,
    target: resolvers.Target,
    video_id: str,
    found_by: str,
    *,
    review_state: str = "",
    seen_at: datetime | None = None,
) -> Post:
    """The video's post, created or linked to `target`; review state only moves forward."""
    with transaction.atomic():
        post, created = Post.objects.select_for_update().get_or_create(
            workspace=workspace, video_id=video_id, defaults=_new_post(target, found_by)
        )
        before, was_at_risk = _state(post), post.compliance == Compliance.AT_RISK
        failed_before = failed_checks(post)
        if not created:
            _link(post, target)
        if review_state == ReviewState.PUBLISHED:
            post.review_state = ReviewState.PUBLISHED
        if post.published_at is None and seen_at is not None:
            post.published_at = seen_at  # provisional: the public post list gives the real time
        evaluate(post, post.campaign)
        if created or _state(post) != before:
            post.save()
        if created:
            _recheck_missing(post)
            events.emit("post.attributed", post)
        elif was_at_risk and post.compliance == Compliance.REMEDIATED:
            events.emit("post.remediated", post)
        _announce_failures([post], {post.pk: failed_before})
    return post


def _recheck_missing(post: Post) -> None:
    """A new post may answer "why is my post missing": the next sync asks TikTok again."""
    MissingPosts.objects.filter(campaign_id=post.campaign_id, creator_id=post.creator_id).update(
        stale=True
    )


def _state(post: Post) -> tuple[object, ...]:
    """What attribution may change: unchanged means no write (a replay changes nothing)."""
    return (
        post.campaign_id,
        post.creator_id,
        post.invite_link_id,
        post.linked_via,
        post.tiktok_campaign_id,
        post.review_state,
        post.compliance,
        post.published_at,
        post.branded_content_toggle,
        post.checks,
        post.counts,
        post.awaiting_checks,
        post.decision_needed,
    )


def _new_post(target: resolvers.Target, found_by: str) -> dict[str, object]:
    return {
        "campaign": target.campaign,
        "creator_id": target.creator_id,
        "invite_link": target.invite_link,
        "tiktok_campaign_id": target.tiktok_campaign_id,
        "linked_via": target.linked_via,
        "branded_content_toggle": True,  # linking turns the toggle on (product.md)
        "found_by": found_by,
        "decision_needed": _why_decide(target),
    }


def _why_decide(target: resolvers.Target) -> str:
    """TikTok cannot switch an invite link off: a creator who left the roster (or was
    deleted) may still publish through theirs. The post is kept, but whether it counts is
    a manager's call."""
    link = target.invite_link
    through_link = target.linked_via == LinkedVia.INVITE_LINK
    retired = link is not None and link.status == LinkStatus.RETIRED
    return THROUGH_RETIRED_LINK if through_link and retired else ""


def _link(post: Post, target: resolvers.Target) -> None:
    """An unlinked (at-risk) post that TikTok now reports linked is remediated."""
    if post.is_linked:
        return
    post.campaign, post.creator_id = target.campaign, target.creator_id
    post.invite_link, post.linked_via = target.invite_link, target.linked_via
    post.tiktok_campaign_id = target.tiktok_campaign_id
    post.branded_content_toggle = True
    post.decision_needed = post.decision_needed or _why_decide(target)
    if post.compliance == Compliance.AT_RISK:
        post.compliance = Compliance.REMEDIATED


def failed_checks(post: Post) -> frozenset[str]:
    """The names of the requirement checks the post fails."""
    return frozenset(name for name, c in post.checks.items() if c.get("result") == checks.FAIL)


def _announce_failures(posts: Iterable[Post], failed_before: dict[int, frozenset[str]]) -> None:
    """`post.requirements_failed` for each post that fails a check it did not fail before."""
    newly = [p for p in posts if not failed_checks(p) <= failed_before.get(p.pk, frozenset())]
    if newly:
        events.emit("post.requirements_failed", *newly)


def evaluate(post: Post, campaign: Campaign) -> None:
    facts = checks.PostFacts(
        post.published_at, post.hashtags, post.content_type, post.details_fetched_at is not None
    )
    post.checks = checks.check(campaign, facts)
    post.counts = checks.counts(post.checks, post.is_linked, post.compliance)
    post.awaiting_checks = checks.awaiting(post.checks, post.is_linked, post.compliance)
    _apply_decision(post)


def _apply_decision(post: Post) -> None:
    """A manager's decision wins over the checks; a post waiting for one does not count
    (nor may it yet, for link planning) until it is made."""
    if post.count_decision:
        post.counts = post.count_decision == Decision.COUNT
        post.awaiting_checks = False
    elif post.decision_needed:
        post.counts = post.awaiting_checks = False


def describe(workspace: Workspace, described: Iterable[schemas.Post]) -> list[Post]:
    """Caption, hashtags and publish time from TikTok's public post list; public = published."""
    by_id = {item.video_id: item for item in described}
    found = Post.objects.filter(workspace=workspace, video_id__in=list(by_id))
    posts = list(found.select_related("campaign"))
    failed_before = {post.pk: failed_checks(post) for post in posts}
    for post in posts:
        _apply_description(post, by_id[post.video_id])
        evaluate(post, post.campaign)
    fields = [
        "caption",
        "embed_url",
        "thumbnail_url",
        "hashtags",
        "published_at",
        "branded_content_toggle",
        "review_state",
        "details_fetched_at",
        "checks",
        "counts",
        "awaiting_checks",
        "updated_at",
    ]
    with transaction.atomic():
        Post.objects.bulk_update(posts, fields, batch_size=200)
        _announce_failures(posts, failed_before)
    return posts


def _apply_description(post: Post, item: schemas.Post) -> None:
    post.caption = item.caption
    post.embed_url = item.embed_url or post.embed_url
    post.thumbnail_url = item.thumbnail_url  # temporary: the newest one, or none
    post.hashtags = hashtags_of(item)
    post.published_at = parse_create_time(item.create_time) or post.published_at
    if item.collaboration_status:
        post.branded_content_toggle = item.collaboration_status == PAID_PARTNERSHIP
    post.review_state = ReviewState.PUBLISHED
    post.details_fetched_at = post.updated_at = timezone.now()


def hashtags_of(item: schemas.Post) -> list[str]:
    """TikTok's caption_hashtags plus any #tag in the caption, lower-case, each once."""
    words = [*item.caption_hashtags, *(w for w in item.caption.split() if w.startswith("#"))]
    tags: dict[str, None] = {}
    for word in words:
        tag = word.strip().lstrip("#").rstrip(".,!?;:").lower()
        if tag:
            tags.setdefault(tag, None)
    return list(tags)


def parse_create_time(value: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS` in UTC (§1.4), or Unix seconds."""
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recheck(campaign: Campaign) -> int:
    """Re-run the checks of every post of the campaign (its requirements may have changed)."""
    changed, failed_before = [], {}
    for post in Post.objects.filter(campaign=campaign).only(
        "id",
        "workspace_id",
        "published_at",
        "hashtags",
        "content_type",
        "details_fetched_at",
        "linked_via",
        "compliance",
        "checks",
        "counts",
        "awaiting_checks",
        "decision_needed",
        "count_decision",
    ):
        before = (post.checks, post.counts, post.awaiting_checks)
        failed_before[post.pk] = failed_checks(post)
        evaluate(post, campaign)
        if (post.checks, post.counts, post.awaiting_checks) != before:
            changed.append(post)
    with transaction.atomic():
        Post.objects.bulk_update(changed, ["checks", "counts", "awaiting_checks"], batch_size=200)
        _announce_failures(changed, failed_before)
    return len(changed)


# -- Unlinked posts (found by the compliance scan) ----------------------------------------


@dataclass(frozen=True)
class UnlinkedVideo:
    """A public video that looks like campaign content but is linked to no campaign object."""

    video_id: str
    caption: str
    hashtags: list[str]
    published_at: datetime


def record_unlinked(
    workspace: Workspace, campaign: Campaign, creator_id: int, video: UnlinkedVideo
) -> Post | None:
    """The post of an unlinked video, at risk of takedown; None when the video has a post."""
    post = Post(
        workspace=workspace,
        campaign=campaign,
        creator_id=creator_id,
        video_id=video.video_id,
        linked_via=LinkedVia.NOT_LINKED,
        compliance=Compliance.AT_RISK,
        caption=video.caption,
        hashtags=video.hashtags,
        published_at=video.published_at,
        review_state=ReviewState.PUBLISHED,
        found_by=Post.FoundBy.COMPLIANCE_SCAN,
        details_fetched_at=timezone.now(),
    )
    evaluate(post, campaign)
    try:
        with transaction.atomic():
            post.save()
            _announce_failures([post], {})
    except IntegrityError:
        return None  # a webhook or another scan brought it first
    return post


def mark_removed(post: Post) -> datetime | None:
    """TikTok took an at-risk post down: when it was marked, or None when no longer at risk."""
    now = timezone.now()
    counted_anyway = ExpressionWrapper(Q(count_decision=Decision.COUNT), BooleanField())
    changed = Post.objects.filter(pk=post.pk, compliance=Compliance.AT_RISK).update(
        compliance=Compliance.REMOVED, counts=counted_anyway, awaiting_checks=False, updated_at=now
    )
    return now if changed else None


# -- Count anyway / don't count -------------------------------------------------------------


def decide_count(
    post: Post, decision: str, reason: str, by: User | None, by_name: str = ""
) -> CountDecision:
    """A manager (`by`, or an API key named `by_name`) counts a post anyway or not at all,
    whatever its checks say, and says why; each decision is kept. It also settles a post
    flagged for a decision."""
    reason = _clean_decision(decision, reason)
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("campaign").get(pk=post.pk)
        record = CountDecision.objects.create(
            workspace_id=post.workspace_id,
            post=post,
            decision=decision,
            reason=reason,
            decided_by=by,
            decided_by_name=by_name or (by.email if by else ""),
            settled=post.decision_needed,
        )
        post.count_decision, post.decision_needed = decision, ""
        evaluate(post, post.campaign)
        post.save()
        _recheck_missing(post)
        if post.invite_link_id:
            settle(post.campaign, {post.invite_link_id})
    return record


def _clean_decision(decision: str, reason: str) -> str:
    reason = (reason or "").strip()
    problems = {}
    if decision not in Decision.values:
        problems["decision"] = f"must be one of {', '.join(Decision.values)}, not {decision!r}"
    if not reason:
        problems["reason"] = "required: say why (it is kept with the decision)"
    elif len(reason) > REASON_MAX:
        problems["reason"] = f"at most {REASON_MAX} characters (this one has {len(reason)})"
    if problems:
        raise ValidationError(problems)
    return reason


# -- Link counters --------------------------------------------------------------------------


def refresh_link_counters(
    campaign: Campaign, link_ids: Collection[int] | None = None
) -> list[LinkCount]:
    """posts_used = the link's posts (linking requests are not capped); 10 → exhausted.
    Only the links in `link_ids` when given (their posts changed)."""
    posts = Post.objects.filter(invite_link__campaign=campaign)
    if link_ids is not None:
        posts = posts.filter(invite_link_id__in=link_ids)
    used = dict(
        posts.exclude(linked_via=LinkedVia.LINK_REQUEST)
        .values_list("invite_link_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return link_services.record_posts_used(campaign, used, link_ids)


def settle(campaign: Campaign, link_ids: Collection[int] | None = None) -> None:
    """After posts changed: link counters, then links topped up for creators who still owe
    posts. With `link_ids` (a webhook, a description), the campaign's links are re-planned
    only when one of them is used up: a creator gets another link only then."""
    links = refresh_link_counters(campaign, link_ids)
    if link_ids is None or any(link.status == LinkStatus.EXHAUSTED for link in links):
        link_services.sync_campaign_links(campaign)
    for link in links:
        if link.just_exhausted:
            link_exhausted(link)


def link_exhausted(link: LinkCount) -> None:
    """Hook: a link has just carried its last post. When a campaign opts in, outreach will
    email the creator their next link from here; nothing is sent yet."""


# -- Sync state -----------------------------------------------------------------------------


def request_sync(campaign: Campaign) -> CampaignSync:
    """Someone asked for a sync now: record it and enqueue the task after commit."""
    state = _sync_state(campaign)
    request_run(state, SYNC_CAMPAIGN_POSTS, campaign.pk, True)
    return state


def sync_started(campaign: Campaign) -> None:
    CampaignSync.objects.filter(pk=_sync_state(campaign).pk).update(started_at=timezone.now())


def sync_finished(campaign: Campaign, videos_seen: int, posts_added: int, error: str = "") -> None:
    CampaignSync.objects.filter(campaign=campaign).update(
        finished_at=timezone.now(),
        videos_seen=videos_seen,
        posts_added=posts_added,
        last_error=error[:2000],
    )


def _sync_state(campaign: Campaign) -> CampaignSync:
    state, _ = CampaignSync.objects.get_or_create(
        campaign=campaign, defaults={"workspace_id": campaign.workspace_id}
    )
    return state


# -- Why is my post missing -----------------------------------------------------------------


def save_missing(campaign: Campaign, creator_id: int, reasons: list[dict[str, str]]) -> None:
    MissingPosts.objects.update_or_create(
        campaign=campaign,
        creator_id=creator_id,
        defaults={
            "workspace_id": campaign.workspace_id,
            "reasons": reasons,
            "checked_at": timezone.now(),
            "stale": False,
        },
    )


def forget_missing(campaign: Campaign, keep_creator_ids: Iterable[int]) -> None:
    """Creators who no longer owe posts (or left the roster) have nothing missing."""
    MissingPosts.objects.filter(campaign=campaign).exclude(
        creator_id__in=list(keep_creator_ids)
    ).delete()
