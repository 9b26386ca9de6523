"""Unusual but valid input gets a 4xx naming the field, never a 500, on SQLite and PostgreSQL
alike: integers past 64 bits (in offset/limit, filters, ids in paths and bodies), lone
surrogates and NUL characters (PostgreSQL refuses NUL in text, so both databases are kept
from seeing one). API errors — a 500 included — are JSON `{code, message}`."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from ninja import NinjaAPI
from ninja.testing import TestClient

from inviteflow.api.errors import install_error_handlers
from inviteflow.creators.models import Creator, CsvImport
from inviteflow.outreach.models import OutboxMessage
from tests.outreach.factories import add_campaign, roster, template

TOO_BIG = "9223372036854775808"  # 2**63: one past the largest 64-bit integer
HUGE = "99999999999999999999"


@pytest.fixture
def campaign(workspace):
    return add_campaign(workspace)


@pytest.fixture
def ada(campaign):
    return roster(campaign, "ada")[0]


def assert_names(response, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message"}
    assert field in body["message"], body
    assert any(e["field"] == field for e in body.get("errors", [])), body


def raw_json(api, method: str, path: str, text: str):
    """A JSON body sent as written (json.dumps would not write a lone surrogate escape)."""
    call = getattr(api.client, method)
    return call(f"/api/v1{path}", text, content_type="application/json", headers=api.headers)


@pytest.mark.parametrize(
    "path, field",
    [
        (f"/creators?offset={HUGE}", "offset"),
        (f"/creators?limit={HUGE}", "limit"),
        (f"/campaigns?offset={TOO_BIG}", "offset"),
        (f"/outbox?campaign={TOO_BIG}", "campaign"),
        (f"/email-templates?offset={HUGE}", "offset"),
        ("/creators?q=%00", "q"),
        ("/creators?q=a%00b", "q"),
    ],
)
def test_query_parameters(api, path, field):
    assert_names(api.get(path), field)


def test_campaign_filters(api, campaign):
    for query, field in [
        (f"creator={TOO_BIG}", "creator"),
        (f"link={HUGE}", "link"),
        (f"offset={HUGE}", "offset"),
    ]:
        assert_names(api.get(f"/campaigns/{campaign.pk}/posts?{query}"), field)
    assert_names(
        api.get(f"/campaigns/{campaign.pk}/invite-links?creator_id={TOO_BIG}"), "creator_id"
    )
    assert_names(api.get(f"/campaigns/{campaign.pk}/missing?offset={HUGE}"), "offset")
    assert_names(api.get(f"/campaigns/{campaign.pk}/report?region=%00"), "region")


@pytest.mark.parametrize(
    "path",
    [
        f"/creators/{TOO_BIG}",
        f"/campaigns/{TOO_BIG}",
        f"/campaigns/{HUGE}/creators",
        f"/email-templates/{TOO_BIG}",
        f"/outreach-batches/{HUGE}",
        f"/posts/{TOO_BIG}/insights",
        f"/creators/imports/{HUGE}",
    ],
)
def test_ids_in_paths_past_64_bits_are_not_found(api, path):
    response = api.get(path)
    assert response.status_code in (404, 422), response.content
    assert set(response.json()) >= {"code", "message"}


def test_ids_in_bodies(api, workspace, campaign, ada):
    t = template(workspace)
    payload = {"template_id": t.pk, "creator_ids": [ada.pk, 2**63]}
    assert_names(api.post(f"/campaigns/{campaign.pk}/outreach", payload), "creator_ids.1")
    assert not OutboxMessage.objects.exists()
    assert_names(
        api.post(f"/campaigns/{campaign.pk}/creators", {"creator_id": 2**64}), "creator_id"
    )
    preview = {"creator_id": ada.pk, "campaign_id": int(HUGE)}
    assert_names(api.post(f"/email-templates/{t.pk}/preview", preview), "campaign_id")


@pytest.mark.parametrize("field", ["name", "notes", "handle", "email"])
@pytest.mark.parametrize("text", ["\\ud800", "a\\u0000b", "\\udfff tail"])
def test_lone_surrogates_and_nul_in_json_strings(api, field, text):
    body = {"name": "Ada", "handle": "ada"}
    encoded = json.dumps(body)[:-1] + f', "{field}": "{text}"}}'
    assert_names(raw_json(api, "post", "/creators", encoded), field)
    assert not Creator.objects.exists()


def test_a_patch_with_nul_changes_nothing(api, ada):
    response = raw_json(api, "patch", f"/creators/{ada.pk}", '{"notes": "x\\u0000"}')
    assert_names(response, "notes")
    ada.refresh_from_db()
    assert ada.notes == ""


def test_a_csv_with_a_nul_is_refused_naming_the_file(api):
    content = b"name,email,handle,notes\nAda,ada@x.io,ada,a\x00b\n"
    upload = SimpleUploadedFile("creators.csv", content, content_type="text/csv")
    response = api.client.post("/api/v1/creators/import", {"file": upload}, headers=api.headers)
    assert_names(response, "file")
    assert not Creator.objects.exists() and not CsvImport.objects.exists()


def test_nested_fields_are_named_by_their_path(api, workspace):
    body = '{"name": "T", "subject": "Hi", "body": "x", "nested": {"deep": ["ok", "\\u0000"]}}'
    assert_names(raw_json(api, "post", "/email-templates", body), "nested.deep.1")


def test_keys_are_checked_too(api):
    assert_names(raw_json(api, "post", "/creators", '{"na\\u0000me": "x"}'), "na\\u0000me")


def test_a_read_only_key_meets_the_same_checks(readonly_api):
    assert_names(readonly_api.get(f"/creators?offset={HUGE}"), "offset")


def test_an_unexpected_error_is_a_json_500():
    """Whatever an endpoint raises, the client gets {code, message} (and the log the rest)."""
    api = NinjaAPI(urls_namespace="crash-test")
    install_error_handlers(api)

    @api.get("/crash")
    def crash(request):
        raise RuntimeError("a secret detail")

    response = TestClient(api).get("/crash")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side; it has been logged.",
    }


# --- the same on the UI's list pages --------------------------------------------------------


@pytest.mark.parametrize(
    "name, query, field",
    [
        ("creator_list", {"q": "\x00"}, "q"),
        ("campaign_list", {"status": "a\x00"}, "status"),
        ("outbox", {"campaign": HUGE}, "campaign"),
        ("outbox", {"campaign": TOO_BIG, "status": "sent"}, "campaign"),
        ("creator_list", {"page": HUGE}, "page"),
    ],
)
def test_ui_filters(owner_client, name, query, field):
    response = owner_client.get(reverse(name, args=["acme"]), query)
    assert response.status_code == 400
    assert field in response.content.decode()


def test_ui_campaign_filters(owner_client, campaign, workspace):
    posts = reverse("campaign_posts", args=["acme", campaign.pk])
    response = owner_client.get(posts, {"creator": TOO_BIG})
    assert response.status_code == 400 and "creator" in response.content.decode()
    preview = reverse("email_template_preview", args=["acme", template(workspace).pk])
    response = owner_client.get(preview, {"campaign": campaign.pk, "creator": HUGE})
    assert response.status_code == 400 and "creator" in response.content.decode()


def test_ordinary_numbers_and_text_still_pass(api, owner_client, campaign, ada):
    assert api.get("/creators?offset=9223372036854775807&q=ada").json()["items"] == []
    assert api.get(f"/campaigns/{campaign.pk}/posts?creator={ada.pk}").status_code == 200
    page = owner_client.get(reverse("creator_list", args=["acme"]), {"q": "Ada 😀 ü"})
    assert page.status_code == 200
