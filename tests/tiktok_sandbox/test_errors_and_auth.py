"""The envelope, every error code of contract §11.1, and the brand OAuth flow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.tiktok_sandbox.support import API, Sandbox


def test_success_envelope_has_code_message_request_id_and_data(sandbox: Sandbox):
    answer = sandbox.get("/tto/oauth2/info/", tto_tcm_account_id=sandbox.account_id)
    assert answer["code"] == 0 and answer["message"] == "OK"
    assert answer["request_id"].startswith("20260501")
    assert answer["data"] == {
        "tto_tcm_account_id": sandbox.account_id,
        "account_name": "Sandbox Demo Brand",
        "timezone": "America/New_York",
        "country": "US",
        "business_verification_status": "PASSED",
    }


def test_unknown_path_wrong_method_and_missing_slash_are_40400(sandbox: Sandbox):
    assert sandbox.get("/tto/tcm/nothing/")["code"] == 40400
    assert (
        sandbox.post("/tto/tcm/campaign/", tto_tcm_account_id=sandbox.account_id)["code"] == 40400
    )
    assert sandbox.get("/tto/oauth2/info", tto_tcm_account_id=sandbox.account_id)["code"] == 40400


def test_missing_token_is_40104_and_unknown_token_40105(sandbox: Sandbox):
    missing = sandbox.get("/tto/oauth2/info/", token=None, tto_tcm_account_id=sandbox.account_id)
    unknown = sandbox.get("/tto/oauth2/info/", token="nope", tto_tcm_account_id=sandbox.account_id)
    assert (missing["code"], missing["data"]) == (40104, {})
    assert unknown["code"] == 40105


def test_revoked_token_is_40105(sandbox: Sandbox):
    revoked = sandbox.post(
        "/oauth2/revoke_token/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
        access_token=sandbox.token,
    )
    assert revoked["code"] == 0
    answer = sandbox.get("/tto/oauth2/info/", tto_tcm_account_id=sandbox.account_id)
    assert answer["code"] == 40105


def test_expiring_tokens_answer_40102_after_their_lifetime(make_sandbox):
    sandbox = make_sandbox(tto_token_expires=True, tto_token_ttl_hours=24)
    assert sandbox.get("/tto/oauth2/info/", tto_tcm_account_id=sandbox.account_id)["code"] == 0
    sandbox.advance(25)
    assert sandbox.get("/tto/oauth2/info/", tto_tcm_account_id=sandbox.account_id)["code"] == 40102


def test_account_the_token_cannot_reach_is_40001(sandbox: Sandbox):
    other = sandbox.creds["other_account"]["tto_tcm_account_id"]
    assert sandbox.get("/tto/oauth2/info/", tto_tcm_account_id=other)["code"] == 40001
    assert sandbox.get("/tto/oauth2/info/", tto_tcm_account_id="123")["code"] == 40001


def test_bad_parameters_are_40002_and_name_the_field(sandbox: Sandbox):
    not_json = sandbox.http.get(
        API + "/tto/tcm/creator/status/get/",
        headers={"Access-Token": sandbox.token},
        params={"tto_tcm_account_id": sandbox.account_id, "handle_names": "alice,bob"},
    ).json()
    missing = sandbox.get("/tto/tcm/creator/status/get/", tto_tcm_account_id=sandbox.account_id)
    not_list = sandbox.get(
        "/tto/tcm/creator/status/get/", tto_tcm_account_id=sandbox.account_id, handle_names={"a": 1}
    )
    bad_body = sandbox.http.post(
        API + "/tto/tcm/campaign/create/", content=b"{oops", headers={"Access-Token": sandbox.token}
    ).json()
    for answer in (not_json, missing, not_list):
        assert answer["code"] == 40002 and "handle_names" in answer["message"]
    assert bad_body["code"] == 40002


def test_unknown_campaign_is_40007(sandbox: Sandbox):
    answer = sandbox.post(
        "/tto/tcm/campaign/update/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id="7000000000000000000",
        campaign_type="CAMPAIGN",
    )
    assert answer["code"] == 40007


def test_another_accounts_campaign_is_40007_for_this_account(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    other = sandbox.creds["other_account"]
    answer = sandbox.get(
        "/tto/tcm/report/",
        token=other["access_token"],
        headers={"Country-Code": "US"},
        tto_tcm_account_id=other["tto_tcm_account_id"],
        campaign_id=campaign["campaign_id"],
    )
    assert answer["code"] == 40007


def authorize(sandbox: Sandbox, state: str = "s1") -> str:
    """Walk the consent page; returns the auth code from the redirect."""
    query = {
        "app_id": sandbox.creds["app_id"],
        "state": state,
        "redirect_uri": "https://brand.example/callback/",
    }
    page = sandbox.http.get("/portal/auth", params=query)
    assert page.status_code == 200 and "Authorize" in page.text
    answer = sandbox.http.post(
        "/portal/auth", data={**query, "account_ids": sandbox.account_id, "decision": "authorize"}
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    params = parse_qs(location.query)
    assert location.netloc == "brand.example" and params["state"] == [state]
    assert params["auth_code"] == params["code"]
    return params["auth_code"][0]


def test_oauth_flow_issues_a_token_that_reaches_the_chosen_account(sandbox: Sandbox):
    code = authorize(sandbox)
    exchanged = sandbox.post(
        "/oauth2/access_token/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
        auth_code=code,
    )
    assert exchanged["code"] == 0
    token = exchanged["data"]["access_token"]
    assert exchanged["data"]["advertiser_ids"] == ["7200000000000000001"]
    assert "expires_in" not in exchanged["data"]
    accounts = sandbox.get(
        "/tto/oauth2/tcm/",
        token=token,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
    )
    assert accounts["data"] == {"tto_tcm_account_ids": [sandbox.account_id]}


def test_auth_codes_are_single_use_and_expire_after_an_hour(sandbox: Sandbox):
    creds = sandbox.creds
    code = authorize(sandbox)
    body = {"app_id": creds["app_id"], "secret": creds["secret"], "auth_code": code}
    assert sandbox.post("/oauth2/access_token/", token=None, **body)["code"] == 0
    assert sandbox.post("/oauth2/access_token/", token=None, **body)["code"] == 40110
    late = authorize(sandbox)
    sandbox.advance(1.01)
    answer = sandbox.post("/oauth2/access_token/", token=None, **{**body, "auth_code": late})
    assert answer["code"] == 40110


def test_wrong_app_secret_is_refused(sandbox: Sandbox):
    answer = sandbox.post(
        "/oauth2/access_token/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret="wrong",
        auth_code=authorize(sandbox),
    )
    assert answer["code"] == 40001


def test_consent_cancel_redirects_with_access_denied(sandbox: Sandbox):
    answer = sandbox.http.post(
        "/portal/auth",
        data={
            "app_id": sandbox.creds["app_id"],
            "state": "x",
            "redirect_uri": "https://b.example/cb/",
            "decision": "cancel",
        },
    )
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["x"],
    }


def test_consent_page_rejects_an_unknown_app(sandbox: Sandbox):
    page = sandbox.http.get("/portal/auth", params={"app_id": "1", "redirect_uri": "https://x/"})
    assert page.status_code == 400 and "Unknown app_id" in page.text


def test_token_errors_come_before_parameter_errors(sandbox: Sandbox):
    answer = sandbox.http.post(API + "/tto/tcm/campaign/create/", content=b"{oops").json()
    assert answer["code"] == 40104
