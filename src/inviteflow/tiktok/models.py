"""TikTok connection state, the installation-wide rate limiter's storage, and the request
sizes TikTok taught us.

The limiter tables hold seconds since the epoch as floats (not DateTimeFields) because the
limiter only does arithmetic on them and takes its clock from an injectable function.
"""

from django.db import models

from inviteflow.core.crypto import EncryptedTextField


class LimiterState(models.Model):
    """The single row (pk=1) every process locks before deciding: the shared cool-down and the
    paced schedule (the earliest time of the next grant)."""

    cooldown_until = models.FloatField(default=0.0)
    next_slot = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"cool-down until {self.cooldown_until}"


class LimiterCall(models.Model):
    """One call let through: it counts against the windows from its grant until a window after
    it ended (`ended_at` is null while it is in flight). Deleted once out of the minute window."""

    ticket = models.CharField(primary_key=True, max_length=32)
    workspace_key = models.CharField(max_length=100)
    granted_at = models.FloatField()
    ended_at = models.FloatField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["workspace_key", "granted_at"])]

    def __str__(self) -> str:
        return f"{self.workspace_key} at {self.granted_at}"


class LimiterTicket(models.Model):
    """A process waiting for a slot; `seen_at` is its heartbeat, stale tickets are dropped."""

    ticket = models.CharField(primary_key=True, max_length=32)
    workspace_key = models.CharField(max_length=100, db_index=True)
    created_at = models.FloatField()
    seen_at = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.workspace_key} waiting since {self.created_at}"


class TikTokConnection(models.Model):
    """A workspace's TikTok One account and token (encrypted at rest)."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        REVOKED = "revoked", "Revoked or expired"

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="tiktok_connection"
    )
    account_id = models.CharField(max_length=32, help_text="TikTok One (TTO) account id")
    access_token = EncryptedTextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONNECTED)
    account_name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=8, blank=True)
    verification_status = models.CharField(max_length=20, blank=True)
    webhook_subscription_id = models.CharField(max_length=40, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.workspace} → TikTok account {self.account_id}"


class LearnedLimit(models.Model):
    """A request size TikTok refused, and the size every process sends instead (tiktok.sizes).

    One row per endpoint and size parameter; `size` only ever goes down. `confirmed` once
    TikTok answered a call of `size`; until then it is the next size to try."""

    endpoint = models.CharField(max_length=100)
    parameter = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    refused = models.PositiveIntegerField(help_text="the smallest size TikTok refused")
    confirmed = models.BooleanField(default=False)
    message = models.TextField(blank=True, help_text="TikTok's words when it refused")
    learned_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "parameter"], name="tiktok_learned_limit_per_parameter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parameter} ≤ {self.size} on {self.endpoint}"


class Pause(models.TextChoices):
    """Why TikTok work stopped before it was done (tiktok.jobs)."""

    NOT_CONNECTED = "not_connected", "TikTok is not connected"
    ACCESS_REFUSED = "access_refused", "TikTok refused our access"
    CONNECTION_LOST = "connection_lost", "TikTok did not answer"
    THROTTLED = "throttled", "TikTok's rate limit"
    UNSUPPORTED = "unsupported", "TikTok does not offer this endpoint to the app"
