"""/api/v1/creators through HTTP with API keys: CRUD, search, CSV import, and the tenancy
and read-only rules (outsider 404, read-only key 403, nothing changed)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inviteflow.creators import services
from inviteflow.creators.models import Creator, CsvImport
from inviteflow.creators.tasks import import_creators
from tests.creators.factories import add_creator, csv_bytes, many_rows


@pytest.fixture
def ada(workspace) -> Creator:
    return add_creator(workspace, "ada", name="Ada Lovelace", email="ada@example.com")


@pytest.fixture
def preview(workspace) -> CsvImport:
    return services.preview_import(workspace, csv_bytes("Bob,,bob,"), "c.csv")


def snapshot() -> list:
    return list(Creator.objects.order_by("pk").values()) + list(
        CsvImport.objects.order_by("pk").values("pk", "status")
    )


def post_csv(api, content: bytes, query: str = ""):
    return api.post(f"/creators/import{query}", data=content, content_type="text/csv")


def upload(content: bytes, **fields) -> dict:
    return {"file": SimpleUploadedFile("creators.csv", content, content_type="text/csv"), **fields}


# --- CRUD ---------------------------------------------------------------------------------


def test_create_and_read(api, workspace):
    payload = {"name": "Ada", "email": "A@X.IO", "handle": "@Ada", "notes": "hi"}
    response = api.post("/creators", payload)
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("name", "email", "handle", "notes")} == {
        "name": "Ada",
        "email": "a@x.io",
        "handle": "ada",
        "notes": "hi",
    }
    assert set(body) == {"id", "name", "email", "handle", "notes", "created_at"}
    assert api.get(f"/creators/{body['id']}").json() == body


@pytest.mark.parametrize(
    "payload, field, reason",
    [
        ({"handle": "ada"}, "name", "required"),
        ({"name": "Ada", "handle": "a b"}, "handle", "may contain only letters"),
        ({"name": "Ada", "handle": "ada", "email": "nope"}, "email", "not a valid email"),
        ({"name": 123, "handle": "ada"}, "name", "string"),
    ],
)
def test_create_bad_input_names_the_field(api, payload, field, reason):
    response = api.post("/creators", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert any(e["field"] == field and reason in e["reason"] for e in body["errors"]), body
    assert not Creator.objects.exists()


def test_create_duplicate_handle(api, ada):
    response = api.post("/creators", {"name": "Other", "handle": "ADA"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "handle", "reason": "@ada is already in this workspace"}
    ]


def test_list_search_and_pagination(api, ada, workspace):
    add_creator(workspace, "grace", name="Grace Hopper")
    assert api.get("/creators").json()["count"] == 2
    found = api.get("/creators?q=@ADA").json()
    assert found["count"] == 1 and found["items"][0]["handle"] == "ada"
    page = api.get("/creators?limit=1&offset=1").json()
    assert page["count"] == 2 and [c["name"] for c in page["items"]] == ["Grace Hopper"]
    assert api.get("/creators?limit=0").status_code == 422


def test_patch_changes_given_fields(api, ada):
    response = api.patch(f"/creators/{ada.pk}", {"notes": "VIP"})
    assert response.status_code == 200
    assert (response.json()["notes"], response.json()["handle"]) == ("VIP", "ada")


def test_patch_invalid_changes_nothing(api, ada):
    response = api.patch(f"/creators/{ada.pk}", {"email": "bad", "name": "New"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "email"
    ada.refresh_from_db()
    assert ada.name == "Ada Lovelace"


def test_delete(api, ada):
    assert api.delete(f"/creators/{ada.pk}").status_code == 204
    assert not Creator.objects.exists()
    assert api.get(f"/creators/{ada.pk}").status_code == 404


# --- CSV import ---------------------------------------------------------------------------


def test_import_preview_changes_nothing(api, ada):
    content = csv_bytes("Bob,,bob,", ",x,bad handle,", "Ada,,@ada,")
    response = api.post("/creators/import", data=upload(content))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["valid"], body["filename"]) == ("preview", 1, "creators.csv")
    assert {(e["line"], e["field"]) for e in body["errors"]} == {
        (3, "name"),
        (3, "email"),
        (3, "handle"),
    }
    assert all(e["reason"] for e in body["errors"])
    assert body["duplicates"] == [
        {"line": 4, "name": "Ada", "handle": "ada", "reason": "@ada is already in this workspace"}
    ]
    assert list(Creator.objects.values_list("handle", flat=True)) == ["ada"]


def test_import_raw_body_with_confirm(api, workspace):
    response = post_csv(api, csv_bytes("Bob,,bob,", "Cy,,cy,", ",,x,"), "?confirm=true")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["imported"]) == ("done", 2)
    assert set(Creator.objects.values_list("handle", flat=True)) == {"bob", "cy"}


def test_import_confirm_as_form_field(api, workspace):
    response = api.post("/creators/import", data=upload(csv_bytes("Bob,,bob,"), confirm="true"))
    assert response.status_code == 202 and Creator.objects.count() == 1


def test_large_import_runs_in_background_with_progress(
    api, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(api, many_rows(1000), "?confirm=true")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["processed"], body["valid"]) == ("queued", 0, 1000)
    assert not Creator.objects.exists()
    import_creators.call(body["id"])  # what the db_worker does with the enqueued task
    progress = api.get(f"/creators/imports/{body['id']}").json()
    assert (progress["status"], progress["processed"], progress["percent"]) == ("done", 1000, 100)
    assert progress["imported"] == Creator.objects.count() == 1000


def test_confirm_a_previewed_import_by_id(api, preview):
    response = api.post(f"/creators/imports/{preview.pk}/confirm")
    assert response.status_code == 202 and response.json()["status"] == "done"
    assert Creator.objects.get().handle == "bob"


@pytest.mark.parametrize(
    "send, reason",
    [
        (lambda api: post_csv(api, b"email\nx@y.z\n"), "no 'name' or 'handle' column"),
        (lambda api: post_csv(api, b""), "required"),
        (lambda api: api.post("/creators/import", data={"other": "x"}), "required"),
        (lambda api: post_csv(api, "name,handle\nJosé,jose\n".encode("latin-1")), "UTF-8"),
    ],
)
def test_bad_import_file_is_422_naming_the_file(api, send, reason):
    response = send(api)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == "file" and reason in errors[0]["reason"]
    assert not CsvImport.objects.exists()


# --- tenancy and keys ---------------------------------------------------------------------


def test_outsider_gets_404_and_changes_nothing(outsider_api, ada, preview):
    before = snapshot()
    calls = [
        outsider_api.get(f"/creators/{ada.pk}"),
        outsider_api.patch(f"/creators/{ada.pk}", {"name": "Hacked"}),
        outsider_api.delete(f"/creators/{ada.pk}"),
        outsider_api.get(f"/creators/imports/{preview.pk}"),
        outsider_api.post(f"/creators/imports/{preview.pk}/confirm"),
    ]
    for response in calls:
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert outsider_api.get("/creators").json() == {"items": [], "count": 0}
    assert snapshot() == before


def test_read_only_key_reads_but_cannot_write(readonly_api, ada, preview):
    before = snapshot()
    assert readonly_api.get("/creators").json()["count"] == 1
    assert readonly_api.get(f"/creators/imports/{preview.pk}").status_code == 200
    calls = [
        readonly_api.post("/creators", {"name": "Eve", "handle": "eve"}),
        readonly_api.patch(f"/creators/{ada.pk}", {"name": "Eve"}),
        readonly_api.delete(f"/creators/{ada.pk}"),
        post_csv(readonly_api, csv_bytes("Eve,,eve,"), "?confirm=true"),
        readonly_api.post(f"/creators/imports/{preview.pk}/confirm"),
    ]
    for response in calls:
        assert response.status_code == 403 and response.json()["code"] == "read_only_key"
    assert snapshot() == before


def test_unknown_key_is_401(ada):
    from tests.conftest import ApiClient

    assert ApiClient("ifk_unknown").get("/creators").status_code == 401
    assert ApiClient(None).get(f"/creators/{ada.pk}").status_code == 401
