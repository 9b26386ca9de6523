"""Posts attributed to campaigns, the raw TikTok webhooks they came from, and sync state.

A post is one TikTok video tied to a campaign, a creator and (usually) the invite link it
went through. TikTok tells us about it twice: a `TCM_VIDEOS` webhook right away, and the
campaign object's `video_ids` about 48 h later (reconciliation). Either creates the post;
the other finds it already there (one row per video per workspace).
"""

import secrets

from django.db import models
from django.utils import timezone

from inviteflow.accounts.models import User, Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.sync import SyncProgress
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts import media


class Post(models.Model):
    class LinkedVia(models.TextChoices):
        INVITE_LINK = "invite_link", "Invite link"
        CAMPAIGN_CODE = "campaign_code", "Campaign code"
        LINK_REQUEST = "link_request", "Linking request"
        NOT_LINKED = "", "Not linked"  # found by the compliance scan

    class ReviewState(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"  # linked, not yet through TikTok's review
        PUBLISHED = "published", "Published"

    class Compliance(models.TextChoices):
        COMPLIANT = "compliant", "Compliant"
        AT_RISK = "at_risk", "At risk"
        REMEDIATED = "remediated", "Remediated"
        REMOVED = "removed", "Removed"

    class FoundBy(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        RECONCILIATION = "reconciliation", "Reconciliation"
        COMPLIANCE_SCAN = "compliance_scan", "Compliance scan"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="posts")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="posts")
    invite_link = models.ForeignKey(
        InviteLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    tiktok_campaign_id = models.CharField(
        max_length=32, blank=True, help_text="the TikTok campaign object the video is linked to"
    )
    video_id = models.CharField(max_length=32)
    linked_via = models.CharField(max_length=16, choices=LinkedVia.choices, blank=True)
    review_state = models.CharField(
        max_length=10, choices=ReviewState.choices, default=ReviewState.UPLOADED
    )
    compliance = models.CharField(
        max_length=12, choices=Compliance.choices, default=Compliance.COMPLIANT
    )
    caption = models.TextField(blank=True)
    embed_url = models.TextField(blank=True, help_text="the video on TikTok, as TikTok gives it")
    thumbnail_url = models.TextField(
        blank=True, help_text="TikTok's thumbnail URL (temporary: refreshed on each description)"
    )
    hashtags = models.JSONField(default=list, blank=True, help_text="lower-case, without '#'")
    content_type = models.CharField(
        max_length=10,
        default=Campaign.ContentType.VIDEO,
        help_text="TikTok's TTO endpoints only report videos",
    )
    branded_content_toggle = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    checks = models.JSONField(
        default=dict,
        blank=True,
        help_text="in_window, content_type, hashtags: {result: pass|fail|pending, reason}",
    )
    counts = models.BooleanField(default=False, help_text="counts toward posts_required")
    awaiting_checks = models.BooleanField(
        default=False, help_text="no check failed, some wait for TikTok to describe the post"
    )

    class CountDecision(models.TextChoices):
        COUNT = "count", "Count anyway"
        DONT_COUNT = "dont_count", "Don't count"

    decision_needed = models.CharField(
        max_length=200,
        blank=True,
        help_text="why a manager must decide whether it counts (it does not until then)",
    )
    count_decision = models.CharField(
        max_length=10,
        choices=CountDecision.choices,
        blank=True,
        help_text="a manager's decision, over the checks; blank: the checks decide",
    )
    found_by = models.CharField(max_length=16, choices=FoundBy.choices)
    details_fetched_at = models.DateTimeField(
        null=True, blank=True, help_text="when TikTok's public post list last described it"
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Newest first, posts TikTok gave no date last on both databases (PostgreSQL would
        # put NULLs first when descending).
        ordering = [models.F("published_at").desc(nulls_last=True), "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "video_id"], name="one_post_per_video")
        ]
        indexes = [
            models.Index(fields=["campaign", "creator"]),
            models.Index(fields=["campaign", "details_fetched_at"]),
        ]

    def __str__(self) -> str:
        return f"video {self.video_id} on {self.campaign}"

    @property
    def is_linked(self) -> bool:
        return bool(self.linked_via)

    @property
    def video_url(self) -> str:
        """The video on TikTok, for a link (empty until TikTok describes the post)."""
        return media.video_link(self.embed_url)

    @property
    def thumbnail(self) -> str:
        """The thumbnail a page may show as an image, or "" (a placeholder instead)."""
        return media.shown_thumbnail(self.thumbnail_url)


class CountDecision(models.Model):
    """The audit trail of "count anyway / don't count": who decided what about a post, when
    and why. The newest one is the post's `count_decision`."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="count_decisions")
    decision = models.CharField(max_length=10, choices=Post.CountDecision.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(
        max_length=200, help_text="a user's email or an API key's name; kept after they go"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    settled = models.CharField(
        max_length=200, blank=True, help_text="the flag this decision cleared, if any"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["post", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.post} by {self.decided_by_name}"


class WebhookEndpoint(models.Model):
    """Where TikTok sends a workspace's TCM_VIDEOS events: an unguessable path per workspace."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="tiktok_webhook"
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    account_id = models.CharField(max_length=32, blank=True)
    subscription_id = models.CharField(max_length=64, blank=True)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"TikTok webhook of {self.workspace}"


class WebhookEvent(models.Model):
    """One delivery, stored verbatim before it is processed (nothing lost, duplicates dropped)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(
        max_length=64, help_text="sha256 of the events' identity (webhooks.identity)"
    )
    body = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "digest"], name="one_event_per_body")
        ]
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"webhook {self.digest[:12]} ({'processed' if self.processed_at else 'pending'})"


class CampaignSync(SyncProgress, models.Model):
    """Reconciliation state of one campaign, shown next to the Sync now button."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="post_sync")
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    videos_seen = models.PositiveIntegerField(default=0)
    posts_added = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"post sync of {self.campaign}"


class MissingPosts(models.Model):
    """Why a creator who still owes posts has not delivered them, from what TikTok reports."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list, help_text="[{code, detail, video_id?}], first = main")
    checked_at = models.DateTimeField(default=timezone.now)
    stale = models.BooleanField(default=False, help_text="a post arrived since: ask again")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"], name="one_diagnosis_per_creator"
            )
        ]

    def __str__(self) -> str:
        return f"missing posts of {self.creator} on {self.campaign}"
