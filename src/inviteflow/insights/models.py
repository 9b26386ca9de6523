"""TikTok's first-party insights of linked posts, and the history inviteflow keeps of them.

TikTok reports a linked post only for a while (about 21 days, contract §10) and only for one
region per call (the `Country-Code` header, §7.1). So every sync keeps a `MetricSnapshot` per
post and region (the time series, with the entry as received), and `PostInsights` holds the
latest values per post and region; when TikTok stops reporting a post, its last values stay
and are marked final. PostInsights keeps only numbers (rollups scan it) and points at the
snapshot that carried them for the rest: distributions, views by source, retention, anchor.

`Breakdown` rows spread the distributions, views by source and retention curves of each
TikTok campaign object's posts over rows, weighted by views, so campaign rollups are sums the
database computes (no JSON read per post).
`CampaignSnapshot` records a campaign's totals after each sync: its views-over-time line.
"""

import hashlib
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.sync import SyncProgress
from inviteflow.creators.models import Creator
from inviteflow.insights import metrics
from inviteflow.posts.models import Post
from inviteflow.tiktok.schemas import VideoMetrics


class ReportJSONField(models.JSONField):
    """JSON inserted as one plain parameter per row.

    A field with a placeholder keeps Django's PostgreSQL bulk insert off UNNEST, which would
    escape every JSON text into an array literal in Python: with a few kilobytes of report per
    post, that cost more CPU than all else a sync does, and the sync runs at TikTok's QPS.
    """

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class Metrics(models.Model):
    """The headline figures rollups use; None = TikTok did not send it (never a false zero)."""

    video_views = models.BigIntegerField(null=True)
    views_organic = models.BigIntegerField(null=True)
    views_paid = models.BigIntegerField(null=True)
    reach = models.BigIntegerField(null=True)
    likes = models.BigIntegerField(null=True)
    comments = models.BigIntegerField(null=True)
    shares = models.BigIntegerField(null=True)
    favorites = models.BigIntegerField(null=True)
    engagement_count = models.BigIntegerField(null=True)
    engagement_rate = models.FloatField(null=True, help_text="0–1")
    video_completion_rate = models.FloatField(null=True, help_text="0–1")
    average_view_time = models.FloatField(null=True, help_text="seconds")
    total_play_time = models.BigIntegerField(null=True, help_text="seconds")
    two_second_view_rate = models.FloatField(null=True, help_text="0–1")
    six_second_view_rate = models.FloatField(null=True, help_text="0–1")

    class Meta:
        abstract = True


class MetricSnapshot(Metrics):
    """One post's figures as one sync received them for one region."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="metric_snapshots")
    country_code = models.CharField(max_length=2, help_text="the report's region")
    fetched_at = models.DateTimeField(default=timezone.now)
    raw = ReportJSONField(default=dict, help_text="the VideoMetrics entry, normalised")

    class Meta:
        ordering = ["fetched_at", "id"]
        indexes = [models.Index(fields=["post", "country_code", "fetched_at"])]

    def __str__(self) -> str:
        return f"{self.post_id} in {self.country_code} at {self.fetched_at:%Y-%m-%d %H:%M}"


class PostInsights(Metrics):
    """The latest figures of one post in one region; `final` once TikTok stopped reporting it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="insights")
    tiktok_campaign_id = models.CharField(max_length=32, help_text="the object TikTok reported")
    country_code = models.CharField(max_length=2)
    snapshot = models.ForeignKey(
        MetricSnapshot,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the snapshot these figures came with (unchanged since, when older)",
    )
    digest = models.CharField(max_length=32, blank=True, help_text="of the figures: unchanged?")
    as_of = models.DateTimeField(help_text="when TikTok last reported these figures")
    first_reported_at = models.DateTimeField(default=timezone.now)
    final = models.BooleanField(default=False, help_text="TikTok no longer reports the post")
    final_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-video_views", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "country_code"], name="insights_per_region")
        ]
        indexes = [
            models.Index(fields=["campaign", "country_code", "video_views"]),
            models.Index(fields=["campaign", "country_code", "creator"]),
            models.Index(fields=["campaign", "country_code", "tiktok_campaign_id"]),
        ]

    def __str__(self) -> str:
        return f"insights of {self.post_id} in {self.country_code}"

    @cached_property
    def details(self) -> dict[str, Any]:
        """distributions, views_by_source, retention and anchor_metrics, from the snapshot."""
        return metrics.details(
            VideoMetrics.model_validate(self.snapshot.raw if self.snapshot else {})
        )


class Breakdown(models.Model):
    """One bucket of a TikTok campaign object's distributions (or views by source, or
    retention curve) in one region, summed over its posts' latest figures.

    `weighted` is Σ share × views (for sources: Σ the source's views), `views` Σ the posts'
    views, `shares` Σ share and `posts` how many posts had the bucket. A campaign's
    distribution is then Σ weighted per key, renormalised; a retention point Σ weighted ÷
    Σ views. One row set per object (≤ 10 posts behind an invite link), not per post: a
    tenth of the rows to write at every sync and to add up on every report page.
    """

    class Dimension(models.TextChoices):
        GENDER = "gender", "Gender"
        AGE = "age", "Age"
        COUNTRY = "country", "Country"
        DEVICE = "device", "Device"
        LOCALE = "locale", "Locale"
        LANGUAGE = "language", "Language"
        INTEREST = "interest", "Interest"
        SOURCE = "source", "Views by source"
        RETENTION = "retention", "Retention"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    tiktok_campaign_id = models.CharField(max_length=32, help_text="the TikTok campaign object")
    country_code = models.CharField(max_length=2)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=64)
    weighted = models.FloatField(default=0)
    views = models.BigIntegerField(default=0)
    shares = models.FloatField(default=0)
    posts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["campaign", "country_code", "dimension", "key"],
                include=["weighted", "views", "shares", "posts"],
                name="breakdown_rollup",
            ),
            models.Index(fields=["campaign", "country_code", "tiktok_campaign_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key}: {self.weighted:.1f}"


class CampaignSnapshot(models.Model):
    """A campaign's totals in one region right after a sync: one point of views over time."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    country_code = models.CharField(max_length=2)
    taken_at = models.DateTimeField(default=timezone.now)
    posts = models.PositiveIntegerField(default=0)
    video_views = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagement_count = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["campaign", "country_code", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} in {self.country_code} at {self.taken_at:%Y-%m-%d %H:%M}"


class InsightsSync(SyncProgress, models.Model):
    """A campaign's insights sync: shown next to Refresh insights, and its lock."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="insights_sync"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reports_fetched = models.PositiveIntegerField(
        default=0, help_text="(TikTok campaign object, region) reports read in full"
    )
    posts_updated = models.PositiveIntegerField(default=0)
    posts_finalized = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"insights sync of {self.campaign}"


def report_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ReportLink(models.Model):
    """A shareable, read-only link to one campaign's report: /r/<token>/, no login.

    Only the token's SHA-256 is kept: the address is shown once, when it is made. It stops
    working when it expires or is revoked; `hide_contacts` leaves creators' emails out.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    hide_contacts = models.BooleanField(
        default=False, help_text="creators' contact details (emails) are left out"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "created_at"])]

    def __str__(self) -> str:
        return f"shared report of {self.campaign_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
