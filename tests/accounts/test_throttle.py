"""Login throttling (django-axes): per account and per client address, on /login/ and
/admin/login/, with a clear message and an unlock path for owners."""

import pytest
from django.core.management import call_command
from django.test import Client

from inviteflow.accounts.models import User
from tests.conftest import PASSWORD, logged_in

LOGIN = "/login/"
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


def attempt(client: Client, email: str, password: str, address: str = ATTACKER, path=LOGIN):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address)


def fail(times: int, email: str = "viewer@acme.test", address: str = ATTACKER) -> None:
    client = Client()
    for n in range(times):
        attempt(client, email, f"guess-{n}", address)


def logs_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_forty_wrong_passwords_then_the_right_one_is_refused(actors):
    client = Client()
    answers = [attempt(client, "viewer@acme.test", f"guess-{n}").status_code for n in range(40)]
    assert answers[:9] == [200] * 9  # the form again, "wrong email or password"
    assert set(answers[10:]) == {429}

    response = attempt(client, "viewer@acme.test", PASSWORD)

    assert response.status_code == 429 and not logs_in(response)
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_address_cannot_keep_guessing_the_account(actors):
    fail(10, address=ATTACKER)
    for n, address in enumerate(["192.0.2.1", "192.0.2.2", "192.0.2.3"]):
        assert attempt(Client(), "viewer@acme.test", f"more-{n}", address).status_code == 429
    assert not logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, OFFICE))


def test_case_variants_of_the_email_count_as_one_account(actors):
    client = Client()
    for n, email in enumerate(["Viewer@acme.test", "VIEWER@ACME.TEST", " viewer@acme.test"] * 4):
        attempt(client, email, f"guess-{n}", f"192.0.2.{n}")
    assert not logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, OFFICE))


def test_one_address_guessing_many_accounts_is_locked(actors):
    for n in range(10):
        attempt(Client(), f"nobody{n}@acme.test", "guess", ATTACKER)
    assert not logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, ATTACKER))
    assert logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, OFFICE))


def test_forwarded_for_header_is_not_trusted_without_a_configured_proxy(actors):
    client = Client()
    for n in range(12):
        client.post(
            LOGIN,
            {"username": f"nobody{n}@acme.test", "password": "guess"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert attempt(Client(), "viewer@acme.test", PASSWORD, ATTACKER).status_code == 429


def test_behind_a_configured_proxy_the_client_address_is_the_one_the_proxy_saw(actors, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(10):
        Client().post(
            LOGIN,
            {"username": f"nobody{n}@acme.test", "password": "guess"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}",  # the first entry is the client's word
        )
    locked = Client().post(
        LOGIN,
        {"username": "viewer@acme.test", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    other = Client().post(
        LOGIN,
        {"username": "viewer@acme.test", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=OFFICE,
    )
    assert locked.status_code == 429 and logs_in(other)


def test_admin_login_is_throttled_too(actors):
    User.objects.filter(email="owner@acme.test").update(is_staff=True, is_superuser=True)
    client = Client()
    for n in range(10):
        attempt(client, "owner@acme.test", f"guess-{n}", path="/admin/login/")
    response = attempt(client, "owner@acme.test", PASSWORD, OFFICE, path="/admin/login/")
    assert response.status_code == 429
    assert not logs_in(attempt(Client(), "owner@acme.test", PASSWORD, OFFICE))


def test_owner_unlocks_a_member_in_settings(actors, owner_client):
    fail(10)
    page = owner_client.get("/w/acme/settings/").content.decode()
    assert "login locked" in page
    membership = actors.viewer.memberships.get()

    response = owner_client.post(f"/w/acme/settings/members/{membership.pk}/unlock/")

    assert response.status_code == 302
    assert logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, ATTACKER))


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_an_owner_of_the_workspace_unlocks(actors, who):
    fail(10)
    membership = actors.viewer.memberships.get()
    response = logged_in(getattr(actors, who)).post(
        f"/w/acme/settings/members/{membership.pk}/unlock/"
    )
    assert response.status_code == (404 if who == "outsider" else 403)
    assert attempt(Client(), "viewer@acme.test", PASSWORD, OFFICE).status_code == 429


def test_outsider_cannot_unlock_through_their_own_workspace(actors, outsider_client):
    fail(10)
    membership = actors.viewer.memberships.get()
    response = outsider_client.post(f"/w/globex/settings/members/{membership.pk}/unlock/")
    assert response.status_code == 404
    assert attempt(Client(), "viewer@acme.test", PASSWORD, OFFICE).status_code == 429


def test_cli_unlocks_an_account_and_an_address(actors, capsys):
    fail(10)
    call_command("unlock", "Viewer@acme.test")
    assert (
        "Viewer@acme.test: unlocked (1 failed-login record(s) cleared)" in capsys.readouterr().out
    )
    assert logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, OFFICE))

    for n in range(10):
        attempt(Client(), f"nobody{n}@acme.test", "guess", ATTACKER)
    call_command("unlock", "--address", ATTACKER)
    assert logs_in(attempt(Client(), "manager@acme.test", PASSWORD, ATTACKER))


def test_a_successful_login_below_the_limit_clears_the_count(actors):
    fail(9)
    assert logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, ATTACKER))
    fail(9)
    assert logs_in(attempt(Client(), "viewer@acme.test", PASSWORD, ATTACKER))
