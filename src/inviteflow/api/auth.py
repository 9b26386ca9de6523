"""Bearer API keys: each belongs to one workspace; read-only keys may not write."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from inviteflow.accounts import services
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
        services.touch_api_key(api_key)
        return api_key  # django-ninja puts it in `request.auth`


def key_of(request: HttpRequest) -> ApiKey:
    """The key of a request past ApiKeyAuth."""
    key = getattr(request, "auth", None)
    assert isinstance(key, ApiKey), "an API endpoint without ApiKeyAuth"
    return key


def workspace_of(request: HttpRequest) -> Workspace:
    return key_of(request).workspace
