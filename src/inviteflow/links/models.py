"""Campaign Invite Links: one per creator per campaign per 10 posts.

Each link is backed by its own TikTok One campaign object (handle_names = that
one creator), whose `invite_link` is the URL the creator publishes through.
"""

from django.db import models
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.tiktok.models import Pause

POSTS_PER_LINK = 10


class InviteLink(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # not on TikTok yet, or waiting for its invite link
        ACTIVE = "active", "Active"
        EXHAUSTED = "exhausted", "Exhausted"  # all posts used
        RETIRED = "retired", "Retired"  # no longer needed; kept for history
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invite_links")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="invite_links")
    sequence = models.PositiveSmallIntegerField(help_text="1 for the creator's first link, 2 …")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    tiktok_campaign_id = models.CharField(max_length=32, blank=True)
    tiktok_campaign_name = models.CharField(max_length=200, blank=True)
    tiktok_ref = models.CharField(
        max_length=16,
        blank=True,
        help_text="random marker sent in the object's name and description; finds it again "
        "after an unknown outcome even when TikTok changes the name",
    )
    url = models.URLField(max_length=500, blank=True)
    max_posts = models.PositiveSmallIntegerField(default=POSTS_PER_LINK)
    posts_used = models.PositiveSmallIntegerField(default=0)
    attempted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="set before each create call; still set afterwards = outcome unknown",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    awaiting_url_since = models.DateTimeField(
        null=True, blank=True, help_text="TikTok made the object but gave no invite link yet"
    )

    class Meta:
        ordering = ["campaign_id", "creator_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator", "sequence"], name="one_link_per_slot"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["workspace", "tiktok_campaign_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · @{self.creator.handle} · {self.sequence}"

    @property
    def posts_left(self) -> int:
        return max(0, self.max_posts - self.posts_used)


class Provisioning(models.Model):
    """A campaign's link provisioning: paused when TikTok cannot be reached or refuses us."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="provisioning")
    paused_reason = models.TextField(blank=True)  # what the page shows
    paused_because = models.CharField(max_length=20, choices=Pause.choices, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    waiting_until = models.DateTimeField(
        null=True, blank=True, help_text="TikTok's rate limit asked us to wait until then"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Provisioning of {self.campaign}"
