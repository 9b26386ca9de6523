"""The creator roster of a workspace."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from inviteflow.accounts.models import User, Workspace


class LiveCreators(models.Manager["Creator"]):
    """Creators not deleted: every list, lookup and API answer starts here, so a deleted
    creator is a 404 through the access helpers. Their invite links and posts still point
    at the row (history is kept), and those relations use the plain base manager."""

    def get_queryset(self) -> models.QuerySet["Creator"]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Creator(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="creators")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    handle = models.CharField(max_length=24, help_text="TikTok handle, lower-case, without @")
    notes = models.TextField(blank=True)
    source_import = models.ForeignKey(
        "CsvImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creators",
        help_text="The CSV import that added this creator, if any",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="deleted: hidden everywhere, kept for its posts"
    )

    with_deleted = models.Manager()
    objects = LiveCreators()

    class Meta:
        ordering = ["name", "id"]
        default_manager_name = "objects"  # deleted creators are hidden unless asked for
        constraints = [
            # A deleted creator's handle may be added again as a new creator.
            models.UniqueConstraint(
                fields=["workspace", "handle"],
                condition=Q(deleted_at__isnull=True),
                name="unique_handle_per_workspace",
            )
        ]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return f"{self.name} (@{self.handle})"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class CsvImport(models.Model):
    """One uploaded CSV: validated into a preview, then imported in the background on confirm."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="csv_imports")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    rows = models.JSONField(default=list, help_text="valid rows: name, email, handle, notes, line")
    errors = models.JSONField(default=list, help_text="bad rows: line, field, reason")
    duplicates = models.JSONField(
        default=list,
        help_text="skipped rows: handle already in the workspace or repeated in the file",
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True, help_text="when a worker claimed it")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename or 'CSV import'} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 100
