"""Every way TikTok (or the network) can fail maps to one exception class, in one place."""

import logging

import httpx
import pytest

from inviteflow.tiktok import errors
from inviteflow.tiktok.errors import (
    AuthError,
    ConnectionFailed,
    EndpointRetired,
    EndpointUnavailable,
    InvalidParams,
    NotFound,
    PermissionDenied,
    Throttled,
    TikTokError,
    Timeout,
    TooManyIds,
    TransientServerError,
    TryAgain,
    UnexpectedResponse,
    VersionError,
    error_for,
)

from .conftest import APP_SECRET, TOKEN, FakeTikTok, fail, fixture, make_client, ok

ACCOUNT = "7100000000000000001"
SAID = "what TikTok said"

# Every code of contract §2.1 (and §13's extra throttle codes) the client can meet.
CODES = {
    AuthError: (40102, 40103, 40104, 40105, 40107, 40110),
    PermissionDenied: (40001, 40003, 40113, 40118, 40125, 40130),
    InvalidParams: (40000, 40002, 40108),
    TooManyIds: (40011,),
    NotFound: (40007, 40400),
    VersionError: (40006, 40051),
    EndpointRetired: (41001, 41002),
    Throttled: (40016, 40100, 40132, 40133, 61000),
    TryAgain: (40201, 40202),
    TransientServerError: (
        *(40200, 50000, 50002, 50999),
        *(51000, 51065, 51099),
        *(52000, 52001, 52002, 52003, 52100, 52103, 52201, 52204, 52999),
        60001,
    ),
}
RETRYABLE = {Throttled, TryAgain, TransientServerError}
# What the message says on top of TikTok's own words, where TikTok's may not say it.
MEANING = {
    40006: "API version or endpoint is not available to this app",
    40051: "API version is not available to this app",
    41001: "taken this endpoint offline",
    41002: "taken a field this call uses offline",
    40011: "Too many ids in one request",
    40200: "task failed on its side",
    40201: "task is not ready yet",
    40202: "TikTok did nothing, so sending it again is safe",
}
MAPPED = [(code, cls) for cls, codes in CODES.items() for code in codes]


@pytest.mark.parametrize(("code", "cls"), MAPPED)
def test_envelope_code_maps_to_its_exception(code, cls):
    fake = FakeTikTok(fail(code, SAID, "req-42"))
    with pytest.raises(cls) as caught:
        make_client(fake, max_retries=0).account_info(ACCOUNT)
    error = caught.value
    assert type(error) is cls
    assert (error.code, error.request_id) == (code, "req-42")
    assert error.retryable is (cls in RETRYABLE)
    assert error.http_status == 200
    if code in MEANING:
        assert MEANING[code] in error.message
        assert error.message.endswith(f"(TikTok: {SAID})")
    else:
        assert error.message == SAID
    assert str(error) == f"{code}: {error.message}"


@pytest.mark.parametrize(("code", "cls"), MAPPED)
def test_a_code_maps_alike_whatever_the_http_status(code, cls):
    """The envelope code decides, also on a 403, 404, 429 or 500 (S8's 403 + 40006)."""
    for status in (403, 404, 429, 500):
        error = error_for(status, code, SAID, "r")
        assert type(error) is cls
        assert error.http_status == status


def test_endpoint_problems_neither_reconnect_nor_retry():
    """40006 and 41001/41002: not AuthError/PermissionDenied, which the job runner answers with
    "reconnect TikTok" and the connection test with "revoked"; not retryable either."""
    for code in (40006, 40051, 41001, 41002):
        error = error_for(403 if code == 40006 else 200, code, "", "r")
        assert isinstance(error, EndpointUnavailable)
        assert not isinstance(error, AuthError | PermissionDenied | InvalidParams)
        assert error.retryable is False
        assert "reconnect" not in error.message.replace("reconnecting will not help", "")


def test_version_error_message_says_what_is_unavailable():
    error = error_for(403, 40006, "", "r")
    assert error.message.startswith("This TikTok API version or endpoint is not available")
    assert "reconnecting will not help" in error.message
    assert error.message.endswith("(TikTok: HTTP 403)")  # no message of TikTok's: the status


def test_retired_endpoint_message_says_the_feature_cannot_work():
    for code in (41001, 41002):
        message = error_for(200, code, "interface offline", "r").message
        assert "cannot work until inviteflow is updated" in message
        assert message.endswith("(TikTok: interface offline)")


def test_try_again_is_a_transient_error_for_callers_that_only_know_those():
    """Callers that retry TransientServerError (the provisioning sweep) retry TryAgain too."""
    for code in (40201, 40202):
        assert isinstance(error_for(200, code, "", "r"), TransientServerError)


def test_too_many_ids_is_an_invalid_params_that_adaptive_sizing_can_recognise():
    error = error_for(200, 40011, "too many ids", "r")
    assert isinstance(error, InvalidParams) and isinstance(error, TooManyIds)
    assert not isinstance(error_for(200, 40002, "bad", "r"), TooManyIds)


def test_a_try_again_read_is_retried_by_the_client():
    answers = [fail(40201, "not ready"), ok(fixture("account_info_s3_1")["data"])]
    fake = FakeTikTok(*answers)
    info = make_client(fake, max_retries=1).account_info(ACCOUNT)
    assert info.account_name == "Acme Brand"
    assert len(fake.requests) == 2


def test_a_write_conflict_is_not_retried_by_the_client_today():
    """Writes are sent once (client.py); a caller may send a TryAgain write again."""
    fake = FakeTikTok(fail(40202, "conflict"))
    with pytest.raises(TryAgain):
        make_client(fake, max_retries=3).create_campaign(ACCOUNT, "c", ["a"])
    assert len(fake.requests) == 1


def test_unknown_code_is_a_plain_tiktok_error():
    for code in (40008, 40999, 70001):
        error = error_for(200, code, "something new", "r")
        assert type(error) is TikTokError
        assert not error.retryable
        assert error.message == "something new"


def test_edges_of_the_transient_ranges():
    """50000-50999 system, 51000-51099 RPC and 52000-52999 storage errors are transient."""
    for code in (50000, 50999, 51000, 51099, 52000, 52999):
        assert type(error_for(200, code, "", "r")) is TransientServerError, code
    for code in (49999, 51100, 51999, 53000, 53102):
        assert type(error_for(200, code, "", "r")) is TikTokError, code


def test_non_2xx_answer_with_an_envelope_keeps_its_code():
    """S8 saw HTTP 403 + 40006 live: the envelope's code wins over the status."""
    fake = FakeTikTok((403, fixture("error_http403_40006_s8")))
    with pytest.raises(VersionError) as caught:
        make_client(fake).account_info(ACCOUNT)
    assert caught.value.code == 40006
    assert caught.value.http_status == 403
    assert caught.value.request_id == "2026090912000001024503105609731617"
    assert "API version" in caught.value.message
    assert caught.value.message.endswith(
        "(TikTok: The API version is not supported for this request.)"
    )


def test_a_403_without_a_code_is_still_permission_denied():
    assert type(error_for(403, None, "", "r")) is PermissionDenied


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
