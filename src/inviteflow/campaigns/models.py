"""Campaigns, their requirements, and their roster of creators."""

from django.db import models
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.countries import country_name
from inviteflow.creators.models import Creator


class Campaign(models.Model):
    class ContentType(models.TextChoices):
        VIDEO = "video", "Video"
        PHOTO = "photo", "Photo"
        ANY = "any", "Any"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=120)
    brief = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    content_type = models.CharField(
        max_length=10, choices=ContentType.choices, default=ContentType.VIDEO
    )
    posts_required = models.PositiveSmallIntegerField(default=1, help_text="per creator, 1–100")
    hashtags = models.JSONField(default=list, blank=True, help_text="without '#', lower-case")
    countries = models.JSONField(default=list, blank=True, help_text="ISO 3166 alpha-2 codes")
    tiktok_enabled = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def named_countries(self) -> list[tuple[str, str]]:
        """(code, ISO short name) pairs, for people who don't read ISO codes."""
        return [(code, country_name(code)) for code in self.countries]


class CampaignCreator(models.Model):
    """A creator on a campaign's roster, optionally owing a different number of posts."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="roster")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="campaign_entries")
    posts_required_override = models.PositiveSmallIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["creator__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"], name="creator_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator} on {self.campaign}"

    @property
    def workspace(self) -> Workspace:
        return self.campaign.workspace

    @property
    def posts_required(self) -> int:
        if self.posts_required_override is not None:
            return self.posts_required_override
        return self.campaign.posts_required
