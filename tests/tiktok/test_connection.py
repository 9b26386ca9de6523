"""Connecting a workspace to TikTok: OAuth through the sandbox's consent page, a pasted
token, the CLI, a revoked token — and who may do it."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inviteflow.tiktok.models import TikTokConnection
from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID

pytestmark = pytest.mark.django_db(transaction=True)
SETTINGS = "/w/acme/settings/tiktok/"


def consent(live_sandbox, authorize_url: str, accounts: list[str]) -> str:
    """Play the brand owner on TikTok's consent screen; returns the redirect back to us."""
    query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
    form = {**query, "decision": "authorize", "account_ids": accounts}
    response = live_sandbox.control.post("/portal/auth", data=form)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def test_owner_connects_through_oauth(owner_client, live_sandbox, workspace):
    start = owner_client.post(SETTINGS + "oauth/")
    assert start.status_code == 302 and start["Location"].startswith(
        live_sandbox.url + "/portal/auth"
    )
    back = urlparse(consent(live_sandbox, start["Location"], [ACCOUNT_ID]))
    callback = owner_client.get(f"{back.path}?{back.query}")  # the code exchanged: one call
    assert callback.status_code == 302 and callback["Location"].endswith("/oauth/account/")
    choose = owner_client.get(callback["Location"])  # the token's accounts: one call
    assert ACCOUNT_ID in choose.content.decode() and "TikTok authorized one account" in (
        choose.content.decode()
    )
    assert not TikTokConnection.objects.exists()
    connected = owner_client.post(callback["Location"], {"account_id": ACCOUNT_ID})
    assert connected.status_code == 302  # the account's details: one call

    connection = TikTokConnection.objects.get(workspace=workspace)
    assert connection.account_id == ACCOUNT_ID and connection.status == "connected"
    assert connection.account_name and connection.access_token
    page = owner_client.get(SETTINGS).content.decode()
    assert connection.account_name in page and connection.access_token not in page


def test_token_is_encrypted_at_rest(tiktok_connected):
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT access_token FROM tiktok_tiktokconnection")
        stored = cursor.fetchone()[0]
    assert ACCESS_TOKEN not in stored
    assert TikTokConnection.objects.get().access_token == ACCESS_TOKEN


def test_callback_with_a_forged_state_connects_nothing(owner_client, live_sandbox, workspace):
    response = owner_client.get("/tiktok/oauth/callback/?auth_code=abc&state=forged")
    assert response.status_code == 302
    assert not TikTokConnection.objects.exists()


def test_cancelled_consent_connects_nothing(owner_client, live_sandbox):
    start = owner_client.post(SETTINGS + "oauth/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    owner_client.get(f"/tiktok/oauth/callback/?error=access_denied&state={state}")
    assert not TikTokConnection.objects.exists()


def test_owner_pastes_a_token(owner_client, live_sandbox, workspace):
    response = owner_client.post(
        SETTINGS + "token/", {"account_id": ACCOUNT_ID, "token": ACCESS_TOKEN}
    )
    assert response.status_code == 302
    assert TikTokConnection.objects.get(workspace=workspace).status == "connected"


def test_a_wrong_token_is_refused_with_tiktoks_reason(owner_client, live_sandbox):
    response = owner_client.post(SETTINGS + "token/", {"account_id": ACCOUNT_ID, "token": "nope"})
    assert response.status_code == 422
    assert "TikTok did not accept" in response.content.decode()
    assert not TikTokConnection.objects.exists()


@pytest.mark.parametrize("who, status", [("manager", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owner_connects(actors, live_sandbox, who, status):
    from tests.conftest import logged_in

    client = logged_in(getattr(actors, who))
    form = {"account_id": ACCOUNT_ID, "token": ACCESS_TOKEN}
    assert client.post(SETTINGS + "token/", form).status_code == status
    assert client.post(SETTINGS + "oauth/").status_code == status
    assert not TikTokConnection.objects.exists()


def test_revoked_token_shows_as_a_state_and_blocks_tiktok_work(owner_client, tiktok_connected):
    TikTokConnection.objects.filter(pk=tiktok_connected.pk).update(access_token="revoked-token")
    owner_client.post(SETTINGS + "test/")
    connection = TikTokConnection.objects.get()
    assert connection.status == "revoked" and "40105" in connection.last_error
    assert "no longer accepts this connection" in owner_client.get(SETTINGS).content.decode()

    from inviteflow.tiktok.connections import NotConnected, client_for

    with pytest.raises(NotConnected, match="reconnect"):
        client_for(connection.workspace)


def test_cli_connects_and_explains_refusals(live_sandbox, workspace, capsys):
    with pytest.raises(CommandError, match="TikTok refused"):
        call_command("tiktok_connect", workspace="acme", account=ACCOUNT_ID, token="nope")
    with pytest.raises(CommandError, match="--account"):
        call_command("tiktok_connect", workspace="acme", account="abc", token="x")
    call_command("tiktok_connect", workspace="acme", account=ACCOUNT_ID, token=ACCESS_TOKEN)
    assert "is connected" in capsys.readouterr().out
    assert TikTokConnection.objects.get(workspace=workspace).status == "connected"


def test_outsider_sees_404_on_the_settings_page(outsider_client, tiktok_connected):
    assert outsider_client.get(SETTINGS).status_code == 404
