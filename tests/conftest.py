"""Named actors shared by every test: an owner, a manager and a viewer of the
"acme" workspace, and an outsider who owns another workspace ("globex")."""

from dataclasses import dataclass

import pytest
from django.test import Client

from inviteflow.accounts import services
from inviteflow.accounts.models import Role, User, Workspace

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; tests don't need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Actors:
    workspace: Workspace
    other_workspace: Workspace
    owner: User
    manager: User
    viewer: User
    outsider: User


def make_user(email: str) -> User:
    return User.objects.create_user(email=email, password=PASSWORD)


@pytest.fixture
def actors(db) -> Actors:
    owner, manager = make_user("owner@acme.test"), make_user("manager@acme.test")
    viewer, outsider = make_user("viewer@acme.test"), make_user("outsider@globex.test")
    workspace = services.create_workspace("acme", "Acme", owner=owner)
    services.set_member(workspace, manager, Role.MANAGER)
    services.set_member(workspace, viewer, Role.VIEWER)
    other = services.create_workspace("globex", "Globex", owner=outsider)
    return Actors(workspace, other, owner, manager, viewer, outsider)


@pytest.fixture
def workspace(actors: Actors) -> Workspace:
    return actors.workspace


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(actors: Actors) -> Client:
    return logged_in(actors.owner)


@pytest.fixture
def manager_client(actors: Actors) -> Client:
    return logged_in(actors.manager)


@pytest.fixture
def viewer_client(actors: Actors) -> Client:
    return logged_in(actors.viewer)


@pytest.fixture
def outsider_client(actors: Actors) -> Client:
    return logged_in(actors.outsider)


class ApiClient:
    """Django's test client speaking JSON with a bearer API key."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def _call(self, method: str, path: str, json=None, **kwargs):
        call = getattr(self.client, method)
        if json is not None:
            kwargs.update(data=json, content_type="application/json")
        return call(f"/api/v1{path}", headers=self.headers, **kwargs)

    def get(self, path: str, **kw):
        return self._call("get", path, **kw)

    def post(self, path: str, json=None, **kw):
        return self._call("post", path, json=json, **kw)

    def patch(self, path: str, json=None, **kw):
        return self._call("patch", path, json=json, **kw)

    def delete(self, path: str, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api(actors: Actors) -> ApiClient:
    """A read-write key of the acme workspace."""
    return ApiClient(services.create_api_key(actors.workspace, "test")[1])


@pytest.fixture
def readonly_api(actors: Actors) -> ApiClient:
    return ApiClient(services.create_api_key(actors.workspace, "ro", read_only=True)[1])


@pytest.fixture
def outsider_api(actors: Actors) -> ApiClient:
    """A read-write key of the other workspace."""
    return ApiClient(services.create_api_key(actors.other_workspace, "globex")[1])


from tests.sandbox_fixtures import (  # noqa: E402, F401
    live_sandbox,
    start_scheduler,
    start_worker,
    tiktok_connected,
)

# Autouse for the session: sockets reach only loopback and Unix sockets (see its docstring).
from tests.socket_guard import no_outside_network  # noqa: E402, F401
