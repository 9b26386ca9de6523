"""Login, workspace settings, invitations and API keys — with every actor."""

import pytest
from django.core.management import call_command

from inviteflow.accounts.models import ApiKey, Invitation, Membership, Role, Workspace
from tests.conftest import PASSWORD, logged_in


def test_user_logs_in_with_email_and_password(client, actors):
    response = client.post("/login/", {"username": "OWNER@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/w/acme/settings/").status_code == 200


def test_wrong_password_is_refused(client, actors):
    response = client.post("/login/", {"username": "owner@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/w/acme/settings/", "/w/acme/campaigns/", "/w/acme/creators/"])
def test_outsider_gets_404_on_every_workspace_page(outsider_client, path):
    assert outsider_client.get(path).status_code == 404


def test_anonymous_is_sent_to_login(client, actors):
    response = client.get("/w/acme/settings/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_owner_creates_api_key_shown_once_and_stored_hashed(owner_client, workspace):
    response = owner_client.post(
        "/w/acme/settings/api-keys/", {"name": "CI", "read_only": "on"}, follow=True
    )
    key = response.context["new_key"]
    stored = ApiKey.objects.get(workspace=workspace)
    assert key.startswith("ifk_") and stored.read_only
    assert key not in stored.key_hash and stored.key_hash != key
    assert key not in owner_client.get("/w/acme/settings/").content.decode()


@pytest.mark.parametrize(
    ("path", "form", "shown"),
    [
        ("api-keys/", {"name": "CI"}, "new-api-key"),
        ("invite/", {"email": "new@acme.test", "role": "viewer"}, "invite-url"),
    ],
)
def test_creating_redirects_so_a_reload_creates_nothing_more(
    owner_client, workspace, path, form, shown
):
    """Post/redirect/get: the secret is shown once on the page after the redirect."""
    response = owner_client.post(f"/w/acme/settings/{path}", form)
    assert response.status_code == 302 and response["Location"] == "/w/acme/settings/"
    assert f'id="{shown}"' in owner_client.get("/w/acme/settings/").content.decode()
    reloaded = owner_client.get("/w/acme/settings/").content.decode()
    assert f'id="{shown}"' not in reloaded
    assert ApiKey.objects.count() + Invitation.objects.count() == 1


def test_a_new_key_is_shown_only_in_its_own_workspace(owner_client, actors):
    from inviteflow.accounts.services import set_member

    set_member(actors.other_workspace, actors.owner, Role.OWNER)
    owner_client.post("/w/acme/settings/api-keys/", {"name": "CI"})
    assert 'id="new-api-key"' not in owner_client.get("/w/globex/settings/").content.decode()
    assert 'id="new-api-key"' in owner_client.get("/w/acme/settings/").content.decode()


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_owner_creates_api_keys(actors, who):
    client = logged_in(getattr(actors, who))
    response = client.post("/w/acme/settings/api-keys/", {"name": "x"})
    assert response.status_code == (404 if who == "outsider" else 403)
    assert not ApiKey.objects.exists()


def test_outsider_cannot_revoke_another_workspaces_key(actors, outsider_client):
    from inviteflow.accounts.services import create_api_key

    api_key, _ = create_api_key(actors.workspace, "acme key")
    response = outsider_client.post(f"/w/globex/settings/api-keys/{api_key.pk}/revoke/")
    assert response.status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_invitation_adds_teammate_with_role(owner_client, actors, django_user_model):
    response = owner_client.post(
        "/w/acme/settings/invite/", {"email": "new@acme.test", "role": "manager"}, follow=True
    )
    url = response.context["invite_url"]
    newcomer = django_user_model.objects.create_user(email="new@acme.test", password=PASSWORD)
    client = logged_in(newcomer)
    token_path = url.split("testserver", 1)[1]
    assert client.post(token_path).status_code == 302
    assert Membership.objects.get(user=newcomer, workspace=actors.workspace).role == Role.MANAGER
    # Single use.
    client.post(token_path)
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_invitation_for_someone_else_is_refused(owner_client, actors):
    response = owner_client.post(
        "/w/acme/settings/invite/", {"email": "new@acme.test", "role": "viewer"}, follow=True
    )
    token_path = response.context["invite_url"].split("testserver", 1)[1]
    logged_in(actors.outsider).post(token_path)
    assert not Membership.objects.filter(user=actors.outsider, workspace=actors.workspace).exists()


def test_viewer_cannot_invite(viewer_client, actors):
    assert (
        viewer_client.post(
            "/w/acme/settings/invite/", {"email": "x@y.z", "role": "owner"}
        ).status_code
        == 403
    )


def test_switcher_lists_only_own_workspaces(actors):
    from inviteflow.accounts.services import set_member

    set_member(actors.other_workspace, actors.owner, Role.VIEWER)
    page = logged_in(actors.owner).get("/w/acme/settings/").content.decode()
    assert "Globex" in page
    assert "Globex" not in logged_in(actors.manager).get("/w/acme/settings/").content.decode()


def test_cli_creates_workspace_and_api_key(db, capsys):
    call_command("workspace_create", "Acme Beauty", slug="acme-beauty")
    assert Workspace.objects.filter(slug="acme-beauty", name="Acme Beauty").exists()
    call_command("apikey_create", workspace="acme-beauty", read_only=True)
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiKey.find_active(key).read_only


def test_cli_refuses_bad_slug(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="slug"):
        call_command("workspace_create", "X", slug="Not A Slug")


class TestApiAuth:
    def test_unknown_key_gets_401_json(self, client, actors):
        response = client.get("/api/v1/whoami", headers={"Authorization": "Bearer ifk_nope"})
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"

    def test_missing_key_gets_401(self, client, actors):
        assert client.get("/api/v1/whoami").status_code == 401

    def test_key_belongs_to_one_workspace(self, api, outsider_api):
        assert api.get("/whoami").json()["workspace"] == "acme"
        assert outsider_api.get("/whoami").json()["workspace"] == "globex"

    def test_revoked_key_gets_401(self, actors, client):
        from inviteflow.accounts.services import create_api_key, revoke_api_key

        api_key, key = create_api_key(actors.workspace, "k")
        revoke_api_key(api_key)
        assert (
            client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {key}"}).status_code
            == 401
        )

    def test_openapi_is_public(self, client, db):
        assert client.get("/api/v1/openapi.json").status_code == 200
