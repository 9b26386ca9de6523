"""State changes for accounts: workspaces, members, invitations, API keys."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from inviteflow.accounts import audit, throttle
from inviteflow.accounts.models import ApiKey, Invitation, Membership, Role, User, Workspace

Kind = audit.Kind


def create_workspace(slug: str, name: str, owner: User | None = None) -> Workspace:
    slug = slug.strip().lower()
    if not slug or slugify(slug) != slug:
        raise ValidationError({"slug": "use lower-case letters, digits and hyphens"})
    if not name.strip():
        raise ValidationError({"name": "required"})
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"'{slug}' is already taken"})
    with transaction.atomic():
        workspace = Workspace.objects.create(slug=slug, name=name.strip())
        if owner is not None:
            Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


def set_member(
    workspace: Workspace,
    user: User,
    role: str,
    by: User | None = None,
    campaigns: Iterable[Any] = (),
) -> Membership:
    """Add `user` with `role`, or change their role (an audited event).

    A client sees only `campaigns` (of this workspace); other roles keep none."""
    named = _client_campaigns(workspace, role, campaigns)
    before = Membership.objects.filter(workspace=workspace, user=user).first()
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            workspace=workspace, user=user, defaults={"role": role}
        )
        membership.client_campaigns.set(named)
    if before is not None and before.role != role:
        detail = f"{user.email}: {before.role} → {role}"
        audit.record(Kind.ROLE_CHANGED, workspace=workspace, user=by, detail=detail)
    return membership


def _client_campaigns(
    workspace: Workspace, role: str, campaigns: Iterable[Any], required: bool = False
) -> list[Any]:
    """The campaigns a client is limited to, each of `workspace` (at least one when
    `required`); none for any other role."""
    named = list(campaigns)
    if role != Role.CLIENT:
        if named:
            raise ValidationError({"campaigns": "only a client is limited to campaigns"})
        return []
    if required and not named:
        raise ValidationError({"campaigns": "choose at least one campaign for a client"})
    if any(campaign.workspace_id != workspace.pk for campaign in named):
        raise ValidationError({"campaigns": "a campaign of another workspace"})
    return named


def remove_member(membership: Membership, by: User | None = None) -> None:
    """Take a member out of the workspace; its last owner stays."""
    workspace = membership.workspace
    with transaction.atomic():
        owners = Membership.objects.select_for_update().filter(workspace=workspace, role=Role.OWNER)
        if membership.role == Role.OWNER and len(owners.values_list("pk", flat=True)) <= 1:
            raise ValidationError({"member": "the last owner of a workspace cannot be removed"})
        membership.delete()
        detail = f"{membership.user.email} ({membership.role})"
        audit.record(Kind.MEMBER_REMOVED, workspace=workspace, user=by, detail=detail)


def unlock_member(membership: Membership, by: User | None = None) -> int:
    """Lift a login lock on a member's account; returns the failure records cleared."""
    cleared = throttle.unlock(membership.user.email)
    detail = membership.user.email
    audit.record(Kind.LOGIN_UNLOCKED, workspace=membership.workspace, user=by, detail=detail)
    return cleared


def invite_teammate(
    workspace: Workspace,
    email: str,
    role: str,
    invited_by: User,
    campaigns: Iterable[Any] = (),
) -> str:
    """Create an invitation and return its one-time token (the accept URL carries it).

    A client invitation names the campaigns the client will see."""
    if role not in Role.values:
        raise ValidationError({"role": f"must be one of {', '.join(Role.values)}"})
    named = _client_campaigns(workspace, role, campaigns, required=True)
    token, token_hash = Invitation.new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email.lower(),
            role=role,
            token_hash=token_hash,
            invited_by=invited_by,
        )
        invitation.client_campaigns.set(named)
    return token


def accept_invitation(token: str, user: User) -> Membership:
    invitation = Invitation.find(token)
    if invitation is None:
        raise ValidationError({"token": "this invitation is unknown or already used"})
    if invitation.email != user.email.lower():
        raise ValidationError({"email": f"this invitation was sent to {invitation.email}"})
    with transaction.atomic():
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        campaigns = invitation.client_campaigns.filter(workspace=invitation.workspace)
        return set_member(invitation.workspace, user, invitation.role, campaigns=campaigns)


def password_was_reset(user: User, request: HttpRequest) -> None:
    """The owner of the mailbox chose a new password: their account's login lock goes."""
    throttle.unlock(user.email)
    audit.record(Kind.PASSWORD_RESET, user=user, request=request)


def create_api_key(
    workspace: Workspace, name: str, read_only: bool = False, by: User | None = None
) -> tuple[ApiKey, str]:
    """Returns the stored key and the plain key, which is never stored nor shown again."""
    key, key_hash = ApiKey.new_key()
    api_key = ApiKey.objects.create(
        workspace=workspace,
        name=name or "API key",
        key_hash=key_hash,
        hint=key[:10],
        read_only=read_only,
    )
    audit.record(Kind.API_KEY_CREATED, workspace=workspace, user=by, detail=_described(api_key))
    return api_key, key


def revoke_api_key(api_key: ApiKey, by: User | None = None) -> None:
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    detail = _described(api_key)
    audit.record(Kind.API_KEY_REVOKED, workspace=api_key.workspace, user=by, detail=detail)


def _described(api_key: ApiKey) -> str:
    access = "read-only" if api_key.read_only else "read-write"
    return f"“{api_key.name}” ({api_key.hint}…, {access})"


def touch_api_key(api_key: ApiKey) -> None:
    """Record the key's use at most once a minute, so reads don't all turn into writes."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
