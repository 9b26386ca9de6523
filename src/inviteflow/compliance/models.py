"""Compliance: unlinked branded posts found by the scan, and the remedies sent for them.

A flagged post is an ordinary `posts.Post` (linked_via "", compliance at_risk, found_by
compliance_scan); `Finding` keeps why it was flagged and what became of it. Remedies:
a campaign code (legacy order API: each code is backed by its own TikTok campaign object,
so the mapping is kept for attribution) or a linking request on the creator's invite-link
object. Every remedy sent is kept in `Remedy` (the audit trail).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.sync import SyncProgress
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post

POSTS_PER_CODE = 10  # the legacy order API's per-creator video limit (video_number ≤ 10)
ORDERS_PER_CODE = 200  # creators one campaign code can take (§6.4 remaining_orders)


class ScanCursor(models.Model):
    """How far the scan has read a creator's public posts: the next scan stops there."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="scan_cursor")
    newest_video_id = models.CharField(max_length=32, blank=True)
    newest_published_at = models.DateTimeField(null=True, blank=True)
    covered_since = models.DateTimeField(
        null=True, blank=True, help_text="every post published since then has been read"
    )
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"scan of @{self.creator.handle} up to {self.newest_video_id or 'nothing'}"


class ComplianceScan(SyncProgress, models.Model):
    """A campaign's last scan, shown next to the Scan now button."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="compliance_scan"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    creators_scanned = models.PositiveIntegerField(default=0)
    videos_seen = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0, help_text="TikTok calls the scan made")
    found = models.PositiveIntegerField(default=0, help_text="posts newly found at risk")
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"compliance scan of {self.campaign}"


class Digest(models.Model):
    """One email to the workspace's managers about posts newly found at risk."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"compliance digest {self.pk} of {self.workspace}"


class Finding(models.Model):
    """Why the scan flagged a post, when, and what became of it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="finding")
    markers = models.JSONField(
        default=list, help_text='what made it look like campaign content: "#tag", "@brand"'
    )
    signals = models.JSONField(
        default=list,
        blank=True,
        help_text="which signals fired: [{kind, value, label}] (detection.Signal)",
    )
    found_at = models.DateTimeField(default=timezone.now)
    takedown_at = models.DateTimeField(
        null=True, blank=True, help_text="when TikTok usually takes such a post down"
    )
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "digest"])]

    def __str__(self) -> str:
        return f"finding on {self.post}"


class CampaignCode(models.Model):
    """A campaign code from the legacy order API, backed by its own TikTok campaign object.

    Reused for every creator of the campaign while TikTok allows (200 creators per code,
    10 posts per creator); then the campaign gets the next one. `attempted_at` is the
    intent recorded before the create call: still set afterwards means the outcome is
    unknown, and the object is looked up by `intent_name` before anything is created again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_codes")
    sequence = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    code = models.CharField(max_length=32, blank=True)
    tiktok_campaign_id = models.CharField(max_length=32, blank=True)
    invite_link = models.URLField(max_length=500, blank=True)
    brand_name = models.CharField(max_length=60)
    intent_name = models.CharField(max_length=60, help_text="the description sent to TikTok")
    posts_per_creator = models.PositiveSmallIntegerField(default=POSTS_PER_CODE)
    attempted_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sequence"], name="one_code_per_slot")
        ]
        indexes = [models.Index(fields=["workspace", "tiktok_campaign_id"])]

    def __str__(self) -> str:
        return f"{self.code or 'pending code'} of {self.campaign}"


class CodeOrder(models.Model):
    """A creator invited onto a campaign code's object: only they may apply it (§6.4)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign_code = models.ForeignKey(CampaignCode, on_delete=models.CASCADE, related_name="orders")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    order_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_code", "creator"], name="one_order_per_creator"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.creator.handle} on {self.campaign_code}"


class LinkRequest(models.Model):
    """A brand linking request (§6.1) for one at-risk post, on the creator's invite-link object.

    One per video: TikTok keeps one per (campaign object, video) and a second LINK is a
    reminder, so a LINK whose outcome is unknown (`attempted_at` still set) is looked up in
    the link statuses before it is sent again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Not sent yet"
        IN_REVIEW = "in_review", "Waiting for the creator"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REVOKED = "revoked", "Revoked"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="link_request")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    invite_link = models.ForeignKey(
        InviteLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tiktok_campaign_id = models.CharField(max_length=32)
    link_request_id = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    number_of_requests = models.PositiveSmallIntegerField(default=0, help_text="as TikTok counts")
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True, help_text="intent of a LINK")
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "tiktok_campaign_id"]),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        return f"linking request for {self.post} ({self.status})"


class Remedy(models.Model):
    """The audit trail: every remedy sent for a post — what, when, by whom."""

    class Kind(models.TextChoices):
        CAMPAIGN_CODE = "campaign_code", "Campaign code sent"
        LINK_REQUEST = "link_request", "Linking request sent"
        REMINDER = "reminder", "Linking request reminder"
        REVOKE = "revoke", "Linking request revoked"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="remedies")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="the code, the request id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, help_text="who, as shown: email or API key")
    email_batch = models.ForeignKey(
        "outreach.OutreachBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email_status = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "kind"],
                name="one_code_and_one_request_per_post",
                condition=models.Q(kind__in=["campaign_code", "link_request"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.post} by {self.actor_label}"


class CodeAvailability(models.Model):
    """TikTok refused the legacy order API (campaign codes) for the workspace's account: the
    campaign-code button gives way to an explanation; linking requests stay available."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    refused_at = models.DateTimeField()
    code = models.IntegerField(null=True, blank=True, help_text="TikTok's error code")
    message = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"campaign codes refused for {self.workspace} ({self.code})"


class DetectionSettings(models.Model):
    """What marks a creator's post as the brand's, besides each campaign's hashtags (edited in
    Settings → Compliance signals; without a row, detection uses the workspace's defaults)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="detection_settings"
    )
    brand_names = models.JSONField(default=list, blank=True, help_text='"Demo Brand", as written')
    brand_handles = models.JSONField(default=list, blank=True, help_text="without '@'")
    disclosure_keywords = models.JSONField(default=list, blank=True, help_text="without '#'")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"compliance signals of {self.workspace}"
