"""Users, workspaces (the tenant), memberships with roles, invitations and API keys."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("email: required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        """Emails log in case-insensitively."""
        return self.get(email__iexact=username or "")

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Logs in with email + password; `username` is not used."""

    username = None  # type: ignore[assignment,misc]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]  # noqa: RUF012
    objects = UserManager()  # type: ignore[misc,assignment]

    def __str__(self) -> str:
        return self.email


class Workspace(models.Model):
    """A brand or an agency: everything tenant-owned hangs off one."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    VIEWER = "viewer", "Viewer"
    # Read-only, and only the campaigns named on the membership (below every other role).
    CLIENT = "client", "Client"


ROLE_RANK = {Role.CLIENT: 0, Role.VIEWER: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    client_campaigns = models.ManyToManyField(
        "campaigns.Campaign",
        blank=True,
        related_name="client_memberships",
        help_text="The only campaigns a client member sees (unused for other roles)",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def allows(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """A teammate invited by email; accepting it (logged in, same email) creates a membership."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    client_campaigns = models.ManyToManyField(
        "campaigns.Campaign",
        blank=True,
        related_name="+",
        help_text="For a client invitation: the campaigns the client will see",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @classmethod
    def find(cls, token: str) -> "Invitation | None":
        return cls.objects.filter(token_hash=_hash_token(token), accepted_at=None).first()


class ApiKey(models.Model):
    """A workspace's REST API key. Only its SHA-256 is stored; the key is shown once."""

    PREFIX = "ifk_"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to tell keys apart")
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_key(cls) -> tuple[str, str]:
        key = cls.PREFIX + secrets.token_urlsafe(32)
        return key, _hash_token(key)

    @classmethod
    def find_active(cls, key: str) -> "ApiKey | None":
        if not key.startswith(cls.PREFIX):
            return None
        found = cls.objects.select_related("workspace").filter(key_hash=_hash_token(key)).first()
        return found if found and found.revoked_at is None else None


class SecurityEvent(models.Model):
    """An entry of the audit log owners read in Settings: who did what to access, and when.

    Logins belong to no workspace; an owner sees those of the workspace's members."""

    class Kind(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGIN_UNLOCKED = "login_unlocked", "Login unlocked"
        PASSWORD_RESET = "password_reset", "Password reset"
        API_KEY_CREATED = "api_key_created", "API key created"
        API_KEY_REVOKED = "api_key_revoked", "API key revoked"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        TIKTOK_CONNECTED = "tiktok_connected", "TikTok connected"
        TIKTOK_DISCONNECTED = "tiktok_disconnected", "TikTok disconnected"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who acted (or logged in)",
    )
    email = models.CharField(max_length=254, blank=True, help_text="The account, as typed")
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="securityevent_ws_time"),
            models.Index(fields=["email", "-created_at"], name="securityevent_email_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.email} {self.detail}".strip()
