"""Password reset by email (real SMTP on loopback), removing members, and the security log."""

import re

import pytest
from django.test import Client

from inviteflow.accounts import services
from inviteflow.accounts.models import Membership, Role, SecurityEvent
from inviteflow.tiktok import connections
from tests.conftest import PASSWORD, logged_in
from tests.outreach.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID

Kind = SecurityEvent.Kind


def reset_link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", text).group(1)


def test_password_reset_by_email_sets_a_new_password(actors, smtp):  # noqa: F811
    client = Client()
    page = client.get("/login/").content.decode()
    assert 'href="/password-reset/"' in page

    response = client.post("/password-reset/", {"email": "Viewer@acme.test"})

    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    [message] = smtp.to("viewer@acme.test")
    assert message["Subject"] == "Reset your inviteflow password"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/password-reset/" in html
    form_url = client.get(reset_link(message))["Location"]  # Django hides the token
    new = "a much longer new password 42"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    answer = Client().post("/login/", {"username": "viewer@acme.test", "password": new})
    assert answer.status_code == 302
    again = client.post(form_url, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert "invalid or was already used" in again.content.decode()


def test_unknown_email_gets_the_same_answer_and_no_mail(actors, smtp):  # noqa: F811
    response = Client().post("/password-reset/", {"email": "nobody@acme.test"})
    assert response.status_code == 302 and smtp.messages == []


def test_password_reset_lifts_a_login_lock(actors, smtp):  # noqa: F811
    client = Client()
    for n in range(10):
        client.post("/login/", {"username": "viewer@acme.test", "password": f"guess-{n}"})
    client.post("/password-reset/", {"email": "viewer@acme.test"})
    [message] = smtp.to("viewer@acme.test")
    form_url = client.get(reset_link(message))["Location"]
    new = "a much longer new password 42"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    answer = Client().post("/login/", {"username": "viewer@acme.test", "password": new})
    assert answer.status_code == 302
    assert SecurityEvent.objects.filter(kind=Kind.PASSWORD_RESET, email="viewer@acme.test")


def test_owner_removes_a_member(actors, owner_client):
    membership = Membership.objects.get(user=actors.manager, workspace=actors.workspace)
    response = owner_client.post(f"/w/acme/settings/members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert logged_in(actors.manager).get("/w/acme/campaigns/").status_code == 404
    event = SecurityEvent.objects.get(kind=Kind.MEMBER_REMOVED)
    assert event.workspace == actors.workspace and event.user == actors.owner
    assert event.detail == "manager@acme.test (manager)"


def test_the_last_owner_cannot_be_removed(actors, owner_client):
    membership = Membership.objects.get(user=actors.owner, workspace=actors.workspace)
    response = owner_client.post(f"/w/acme/settings/members/{membership.pk}/remove/", follow=True)
    assert "the last owner of a workspace cannot be removed" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_owner_can_be_removed_while_another_owner_remains(actors, owner_client):
    services.set_member(actors.workspace, actors.manager, Role.OWNER)
    membership = Membership.objects.get(user=actors.owner, workspace=actors.workspace)
    owner_client.post(f"/w/acme/settings/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_owners_remove_members(actors, who):
    membership = Membership.objects.get(user=actors.viewer, workspace=actors.workspace)
    response = logged_in(getattr(actors, who)).post(
        f"/w/acme/settings/members/{membership.pk}/remove/"
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_another_workspaces_member_is_a_404(actors, outsider_client):
    membership = Membership.objects.get(user=actors.viewer, workspace=actors.workspace)
    for action in ["remove", "unlock"]:
        response = outsider_client.post(f"/w/globex/settings/members/{membership.pk}/{action}/")
        assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_security_log_records_what_happens_to_access(actors, owner_client):
    Client().post("/login/", {"username": "viewer@acme.test", "password": "wrong"})
    Client().post("/login/", {"username": "viewer@acme.test", "password": PASSWORD})
    owner_client.post("/w/acme/settings/api-keys/", {"name": "CI"})
    key = actors.workspace.api_keys.get()
    owner_client.post(f"/w/acme/settings/api-keys/{key.pk}/revoke/")
    services.set_member(actors.workspace, actors.viewer, Role.MANAGER, by=actors.owner)

    page = owner_client.get("/w/acme/settings/security-log/").content.decode()

    for label in ["Failed login", "Logged in", "API key created", "API key revoked"]:
        assert label in page
    assert "viewer@acme.test: viewer → manager" in page
    assert "“CI”" in page


def test_tiktok_connect_and_disconnect_are_logged(actors, live_sandbox):
    connections.connect_with_token(actors.workspace, ACCOUNT_ID, ACCESS_TOKEN, by=actors.owner)
    connections.disconnect(actors.workspace, by=actors.owner)
    kinds = list(
        SecurityEvent.objects.filter(workspace=actors.workspace).values_list("kind", flat=True)
    )
    assert Kind.TIKTOK_CONNECTED in kinds and Kind.TIKTOK_DISCONNECTED in kinds


def test_security_log_is_for_owners_of_the_workspace_only(actors):
    Client().post("/login/", {"username": "outsider@globex.test", "password": "wrong"})
    assert logged_in(actors.manager).get("/w/acme/settings/security-log/").status_code == 403
    assert logged_in(actors.outsider).get("/w/acme/settings/security-log/").status_code == 404
    page = logged_in(actors.owner).get("/w/acme/settings/security-log/").content.decode()
    assert "outsider@globex.test" not in page


def test_security_log_paginates(actors, owner_client):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=Kind.LOGIN_FAILED, email="viewer@acme.test") for _ in range(120)
    )
    first = owner_client.get("/w/acme/settings/security-log/").content.decode()
    third = owner_client.get("/w/acme/settings/security-log/?page=3").content.decode()
    assert "Page 1 of 3" in first and first.count('<tr class="event-') == 50
    assert "Page 3 of 3" in third and third.count('<tr class="event-') == 21  # + force_login
