"""Outgoing webhooks: endpoints a workspace registers, events, and the outbox of deliveries.

An Event is written once, with its body, in the transaction of the change it reports; a
Delivery per subscribed endpoint is written with it and sent by the workers after commit.
Every attempt sends the same body (same event id); the signature's timestamp is per attempt.
"""

import secrets
import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.core.crypto import EncryptedTextField


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def new_event_id() -> str:
    return "evt_" + uuid.uuid4().hex


class Endpoint(models.Model):
    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook (signed JSON events)"
        SLACK = "slack", "Slack (an incoming-webhook URL)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    url = models.URLField(max_length=500, help_text="a Slack URL is shown with its key masked")
    slack_url = EncryptedTextField(
        blank=True, help_text="Slack: the incoming-webhook URL, which is itself the key"
    )
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="the event types it receives")
    active = models.BooleanField(default=True)
    paused_reason = models.TextField(blank=True, help_text="why inviteflow paused it, if it did")
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, help_text="the rotated-out secret still signs until then"
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="first failed attempt since the last success"
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["workspace", "active"])]

    def __str__(self) -> str:
        return self.url

    @property
    def is_slack(self) -> bool:
        return self.kind == self.Kind.SLACK

    @property
    def destination(self) -> str:
        """Where deliveries go: a Slack endpoint's real URL is kept encrypted."""
        return self.slack_url if self.is_slack else self.url

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets that sign now: the current one, and the previous during its overlap."""
        until = self.previous_secret_until
        if self.previous_secret and until is not None and until > (now or timezone.now()):
            return [self.secret, self.previous_secret]
        return [self.secret]


class Event(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=new_event_id)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    body = models.TextField(help_text="the JSON sent, byte for byte, on every attempt")

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # due at next_attempt_at
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"  # every attempt failed; redeliver to try again

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DailySummary(models.Model):
    """The UTC day a workspace's `summary.daily` was recorded: at most one a day, however many
    schedulers run the job or how often (the unique key is the claim)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    event = models.ForeignKey(Event, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="one_summary_per_day")
        ]

    def __str__(self) -> str:
        return f"summary {self.day} of workspace {self.workspace_id}"
