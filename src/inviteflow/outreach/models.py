"""Email templates, outreach batches, the Outbox, and each creator's page.

Every row belongs to a workspace (tenancy). An OutboxMessage is both the record
of what a creator was sent and the unit of delivery: its `idempotency_key` is
unique in the database, which is what makes a double click, a retried task or a
second batch with the same choices send nothing new (see delivery.py).
"""

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from inviteflow.accounts.models import User, Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class EmailTemplate(models.Model):
    """Subject, text body and optional HTML body with placeholders (see placeholders.py).

    Tied to a campaign it is that campaign's own version: on the campaign's Send page
    it replaces the workspace template of the same name.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only for this campaign (empty: every campaign)",
    )
    name = models.CharField(max_length=120)
    default_key = models.CharField(
        max_length=40, blank=True, help_text="Which shipped default this started as, if any"
    )
    subject = models.CharField(max_length=255)
    body = models.TextField(help_text="Plain text")
    html_body = models.TextField(blank=True, help_text="Optional HTML version")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "default_key"],
                condition=~Q(default_key=""),
                name="one_shipped_default_per_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "name"],
                condition=Q(campaign=None),
                name="template_name_unique_per_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "campaign", "name"], name="template_name_unique_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def content_hash(self) -> str:
        """Changes whenever what the template says changes (part of the idempotency key)."""
        return sha256("\x00".join((self.subject, self.body, self.html_body)))


class OutreachBatch(models.Model):
    """One click of "Send": which creators were queued, skipped (already sent) or blocked."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(
        EmailTemplate, null=True, on_delete=models.SET_NULL, related_name="batches"
    )
    template_name = models.CharField(max_length=120, help_text="as it was when sent")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    send_again = models.BooleanField(default=False, help_text="Sent even to creators who had it")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0, help_text="messages this batch created")
    skipped = models.JSONField(default=list, help_text="creator_id, name, reason")
    blocked = models.JSONField(default=list, help_text="creator_id, name, reason")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template_name} → {self.campaign} ({self.status})"


class OutboxMessage(models.Model):
    """One email to one recipient, rendered when queued, delivered by a worker.

    `sending` is internal (claimed by a worker); the API reports it as queued.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        OutreachBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    creator = models.ForeignKey(
        Creator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=200, help_text="The Message-ID header")
    from_email = models.CharField(max_length=254)
    to_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="The SMTP error of the last failed attempt")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=32, blank=True, help_text="worker run holding it")
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(
        null=True, blank=True, help_text="when it was handed to the email backend"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["campaign", "creator"]),
            models.Index(fields=["status", "claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.status})"

    @property
    def public_status(self) -> str:
        """queued | sent | failed: a message a worker is sending is still queued to the user."""
        return self.Status.QUEUED if self.status == self.Status.SENDING else self.status


class CreatorPage(models.Model):
    """The address of a creator's own page (no login): /c/<token>/.

    The token is stored as it is, because every email that links to the page must
    contain it and the Outbox keeps those emails verbatim: encrypting the column
    would protect nothing the Outbox does not already show. Pages are looked up by
    the token's SHA-256 (an index on a hash, not on the secret). Revoking issues a
    new token; the old address answers 404.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="outreach_page")
    token = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="when the last token was")

    def __str__(self) -> str:
        return f"Page of {self.creator}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, sha256(token)

    @classmethod
    def find(cls, token: str) -> "CreatorPage | None":
        # A deleted creator's page is gone with them (their row is kept for their posts).
        return (
            cls.objects.select_related("creator", "workspace")
            .filter(token_hash=sha256(token), creator__deleted_at__isnull=True)
            .first()
        )
