"""Bearer API keys: each belongs to one workspace; read-only keys may not write."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from inviteflow.accounts.models import ApiKey, Workspace

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyKey(Exception):
    """A read-only key tried to change something."""


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_key = ApiKey.find_active(token)
        if api_key is None:
            return None
        if api_key.read_only and request.method not in SAFE_METHODS:
            raise ReadOnlyKey()
        _touch(api_key)
        request.workspace = api_key.workspace  # type: ignore[attr-defined]
        return api_key


def _touch(api_key: ApiKey) -> None:
    """Record use at most once a minute, so reads don't all turn into writes."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


def workspace_of(request: HttpRequest) -> Workspace:
    return request.workspace  # type: ignore[attr-defined,no-any-return]
