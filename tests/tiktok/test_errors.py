"""Every way TikTok (or the network) can fail maps to one exception class, in one place."""

import logging

import httpx
import pytest

from inviteflow.tiktok import errors
from inviteflow.tiktok.errors import (
    AuthError,
    ConnectionFailed,
    InvalidParams,
    NotFound,
    PermissionDenied,
    Throttled,
    TikTokError,
    Timeout,
    TransientServerError,
    UnexpectedResponse,
    error_for,
)

from .conftest import APP_SECRET, TOKEN, FakeTikTok, fail, fixture, make_client, ok

ACCOUNT = "7100000000000000001"

CODES = {
    AuthError: (40102, 40103, 40104, 40105, 40107, 40110),
    PermissionDenied: (40001, 40003, 40113, 40118, 40125, 40130),
    InvalidParams: (40000, 40002, 40011, 40108),
    NotFound: (40007, 40400),
    Throttled: (40100, 40132, 61000),
    TransientServerError: (50000, 50002, 51000, 51065, 51099, 60001),
}
RETRYABLE = {Throttled, TransientServerError}


@pytest.mark.parametrize(
    ("code", "cls"), [(code, cls) for cls, codes in CODES.items() for code in codes]
)
def test_envelope_code_maps_to_its_exception(code, cls):
    fake = FakeTikTok(fail(code, "what TikTok said", "req-42"))
    with pytest.raises(cls) as caught:
        make_client(fake, max_retries=0).account_info(ACCOUNT)
    error = caught.value
    assert type(error) is cls
    assert (error.code, error.message, error.request_id) == (code, "what TikTok said", "req-42")
    assert error.retryable is (cls in RETRYABLE)
    assert error.http_status == 200


def test_unknown_code_is_a_plain_tiktok_error():
    error = error_for(200, 40202, "write conflict", "r")
    assert type(error) is TikTokError
    assert not error.retryable


def test_neighbours_of_the_rpc_range_are_not_transient():
    assert type(error_for(200, 50999, "", "r")) is TikTokError
    assert type(error_for(200, 51100, "", "r")) is TikTokError


def test_non_2xx_answer_with_an_envelope_keeps_its_code():
    """S8 saw HTTP 403 + 40006 live: the envelope's code wins, the status picks the class."""
    fake = FakeTikTok((403, fixture("error_http403_40006_s8")))
    with pytest.raises(PermissionDenied) as caught:
        make_client(fake).account_info(ACCOUNT)
    assert caught.value.code == 40006
    assert caught.value.http_status == 403
    assert caught.value.request_id == "2026090912000001024503105609731617"
    assert "API version" in caught.value.message


def test_code_beats_status_when_both_speak():
    assert type(error_for(500, 40002, "bad param", "r")) is InvalidParams


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (502, TransientServerError),
        (503, TransientServerError),
        (429, Throttled),
        (401, AuthError),
        (403, PermissionDenied),
        (404, NotFound),
        (418, TikTokError),
    ],
)
def test_non_json_answers_map_by_status(status, cls):
    fake = FakeTikTok((status, "<html>Bad Gateway</html>"))
    with pytest.raises(cls) as caught:
        make_client(fake, max_retries=0).account_info(ACCOUNT)
    error = caught.value
    assert type(error) is cls
    assert error.code is None and error.http_status == status
    assert error.request_id == "logid-1"  # X-Tt-Logid when there is no envelope
    assert f"HTTP {status}" in error.message


def test_a_2xx_answer_without_an_envelope_is_unexpected():
    fake = FakeTikTok((200, "<html>captive portal</html>"), (200, {"data": {}}))
    client = make_client(fake)
    for _ in range(2):
        with pytest.raises(UnexpectedResponse):
            client.account_info(ACCOUNT)


def test_code_sent_as_a_string_is_understood():
    fake = FakeTikTok({"code": "40100", "message": "slow down", "request_id": "r"})
    with pytest.raises(Throttled):
        make_client(fake).account_info(ACCOUNT)


def test_request_id_falls_back_to_the_logid_header():
    fake = FakeTikTok({"code": 40002, "message": "bad"})
    with pytest.raises(InvalidParams) as caught:
        make_client(fake).account_info(ACCOUNT)
    assert caught.value.request_id == "logid-1"


def test_partial_ok_returns_the_data():
    """20001 PARTIAL_OK: a batch that partly worked must not look like nothing happened."""
    answer = {
        "code": 20001,
        "message": "partial",
        "request_id": "r",
        "data": {"campaign_id": "1", "failed_handle_names": ["invalid_x"]},
    }
    campaign = make_client(FakeTikTok(answer)).create_campaign(ACCOUNT, "c", ["a", "invalid_x"])
    assert campaign.failed_handle_names == ["invalid_x"]


def test_success_code_with_an_error_status_is_still_an_error():
    fake = FakeTikTok((500, ok()))
    with pytest.raises(TransientServerError):
        make_client(fake, max_retries=0).account_info(ACCOUNT)


def test_data_that_misfits_the_schema_is_unexpected_and_hides_values():
    fake = FakeTikTok(ok({"access_token": None, "refresh_token": {"not": "a string"}}))
    with pytest.raises(UnexpectedResponse) as caught:
        make_client(fake).exchange_auth_code("code")
    assert "access_token" in caught.value.message
    assert "not" not in caught.value.message.replace("not a valid", "")


REQUEST = httpx.Request("GET", "https://tiktok.test/")
TRANSPORT = [
    (httpx.ConnectError("refused", request=REQUEST), ConnectionFailed, True, True),
    (httpx.ConnectTimeout("slow", request=REQUEST), Timeout, True, True),
    (httpx.PoolTimeout("busy", request=REQUEST), Timeout, True, True),
    (httpx.ReadTimeout("slow", request=REQUEST), Timeout, True, False),
    (httpx.WriteTimeout("slow", request=REQUEST), Timeout, True, False),
    (httpx.ReadError("reset", request=REQUEST), ConnectionFailed, True, False),
    (httpx.RemoteProtocolError("eof", request=REQUEST), ConnectionFailed, True, False),
]


@pytest.mark.parametrize(("exc", "cls", "read_retryable", "write_retryable"), TRANSPORT)
def test_transport_failures(exc, cls, read_retryable, write_retryable):
    """Reads can always be retried; a write only when it certainly never left."""
    for is_read, retryable in ((True, read_retryable), (False, write_retryable)):
        error = errors.transport_error(exc, is_read=is_read)
        assert type(error) is cls
        assert error.retryable is retryable
        assert error.code is None


def test_transport_failure_through_the_client():
    fake = FakeTikTok(httpx.ReadTimeout("slow", request=REQUEST))
    with pytest.raises(Timeout) as caught:
        make_client(fake).create_campaign(ACCOUNT, "c", ["a"])
    assert caught.value.retryable is False
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_logs_carry_request_ids_never_tokens_or_secrets(caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeTikTok(fixture("tto_accounts_s3_1"), fail(40105, "bad token", "req-bad"))
    client = make_client(fake, max_retries=0)
    client.tto_accounts()  # app secret in the query string
    with pytest.raises(AuthError) as caught:
        client.subscribe(ACCOUNT, "https://x.test/")  # token in the body
    assert "2026091212000001024503105609731601" in caplog.text
    assert "req-bad" in caplog.text and "logid-1" in caplog.text
    assert "/open_api/v1.3/tto/oauth2/tcm/" in caplog.text  # httpx still logs the path
    for secret in (TOKEN, APP_SECRET):
        assert secret not in caplog.text
        assert secret not in repr(caught.value) + str(caught.value)
    assert TOKEN not in repr(client.__dict__.get("_http"))


def test_exception_repr_is_short_and_names_the_request():
    error = error_for(200, 40105, "token revoked", "req-7")
    assert repr(error) == "AuthError(code=40105, request_id='req-7')"
    assert str(error) == "40105: token revoked"
