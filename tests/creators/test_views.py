"""Creator pages through HTTP: list/search/pagination, add/edit/delete, CSV import pages,
and the tenancy and role rules for each (outsider 404, viewer 403, nothing changed)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inviteflow.creators import services
from inviteflow.creators.models import Creator, CsvImport
from tests.creators.factories import add_creator, csv_bytes, many_rows


def url(name: str, slug: str = "acme", **kwargs) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


def upload(content: bytes, name: str = "creators.csv") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


@pytest.fixture
def ada(workspace) -> Creator:
    return add_creator(workspace, "ada", name="Ada Lovelace", email="ada@example.com")


@pytest.fixture
def preview(workspace) -> CsvImport:
    return services.preview_import(workspace, csv_bytes("Bob,,bob,", ",,bad handle,"), "c.csv")


def snapshot() -> list:
    return list(Creator.objects.order_by("pk").values()) + list(
        CsvImport.objects.order_by("pk").values("pk", "status")
    )


# --- list ---------------------------------------------------------------------------------


def test_list_shows_creators_and_write_buttons_to_a_manager(manager_client, ada):
    page = manager_client.get(url("creator_list")).content.decode()
    assert "Ada Lovelace" in page and "@ada" in page
    assert url("creator_add") in page and url("creator_edit", creator_id=ada.pk) in page


def test_viewer_sees_creators_without_write_buttons(viewer_client, ada):
    page = viewer_client.get(url("creator_list")).content.decode()
    assert "Ada Lovelace" in page
    for name in ("creator_add", "creator_import_upload"):
        assert url(name) not in page
    assert url("creator_edit", creator_id=ada.pk) not in page


def test_empty_state(owner_client, actors):
    page = owner_client.get(url("creator_list")).content.decode()
    assert "No creators yet." in page and url("creator_import_upload") in page


@pytest.mark.parametrize("q", ["lovel", "@ADA", "example.com"])
def test_search_by_name_handle_or_email(owner_client, ada, workspace, q):
    add_creator(workspace, "grace", name="Grace Hopper", email="g@navy.mil")
    page = owner_client.get(url("creator_list"), {"q": q}).content.decode()
    assert "Ada Lovelace" in page and "Grace Hopper" not in page


def test_search_without_match(owner_client, ada):
    page = owner_client.get(url("creator_list"), {"q": "zzz"}).content.decode()
    assert "No creators match" in page


def test_pagination_50_per_page_keeps_the_search(owner_client, workspace):
    Creator.objects.bulk_create(
        Creator(workspace=workspace, name=f"Creator {i:03}", handle=f"c{i:03}") for i in range(51)
    )
    first = owner_client.get(url("creator_list"), {"q": "creator"})
    assert first.context["page"].count == 51 and len(first.context["page"].items) == 50
    assert "?q=creator&amp;page=2" in first.content.decode()
    second = owner_client.get(url("creator_list"), {"q": "creator", "page": 2})
    assert [c.name for c in second.context["page"].items] == ["Creator 050"]


def test_htmx_search_renders_only_the_results(owner_client, ada):
    response = owner_client.get(url("creator_list"), {"q": "ada"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Ada Lovelace" in body and "<html" not in body


def test_list_only_shows_own_workspace(owner_client, actors):
    add_creator(actors.other_workspace, "secret", name="Globex Secret")
    assert "Globex Secret" not in owner_client.get(url("creator_list")).content.decode()


# --- add / edit / delete ------------------------------------------------------------------


def test_add_creator(manager_client, workspace):
    data = {"name": "Ada", "handle": "@Ada", "email": ""}
    response = manager_client.post(url("creator_add"), data)
    assert response.status_code == 302
    assert Creator.objects.get(workspace=workspace).handle == "ada"


def test_add_shows_field_errors_and_saves_nothing(manager_client, ada):
    data = {"name": "X", "handle": "ADA", "email": "no"}
    response = manager_client.post(url("creator_add"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "email": ["is not a valid email address"],
        "handle": ["@ada is already in this workspace"],
    }
    assert Creator.objects.count() == 1


def test_add_duplicate_handle_error_names_the_handle(manager_client, ada):
    response = manager_client.post(url("creator_add"), {"name": "X", "handle": "ADA"})
    assert response.context["form"].errors == {"handle": ["@ada is already in this workspace"]}


def test_edit_creator(manager_client, ada):
    form = manager_client.get(url("creator_edit", creator_id=ada.pk)).context["form"]
    assert form.initial["handle"] == "ada"
    data = {"name": "Ada King", "handle": "ada_k", "email": "ada@example.com", "notes": "n"}
    assert manager_client.post(url("creator_edit", creator_id=ada.pk), data).status_code == 302
    ada.refresh_from_db()
    assert (ada.name, ada.handle, ada.notes) == ("Ada King", "ada_k", "n")


def test_delete_asks_then_deletes_on_post(manager_client, ada):
    confirm = manager_client.get(url("creator_delete", creator_id=ada.pk))
    assert confirm.status_code == 200 and Creator.objects.exists()
    assert manager_client.post(url("creator_delete", creator_id=ada.pk)).status_code == 302
    assert not Creator.objects.exists()


# --- CSV import pages ---------------------------------------------------------------------


def test_upload_shows_preview_and_imports_nothing(manager_client, ada):
    content = csv_bytes("Bob,,bob,", ",,bad handle,", "Ada again,,@ada,")
    response = manager_client.post(url("creator_import_upload"), upload(content))
    csv_import = CsvImport.objects.get()
    assert response.url == url("creator_import", import_id=csv_import.pk)
    page = manager_client.get(response.url).content.decode()
    assert "Nothing has been imported yet." in page and "Import 1 creator" in page
    assert "may contain only letters, digits, underscores and periods" in page
    assert "@ada is already in this workspace" in page
    assert list(Creator.objects.values_list("handle", flat=True)) == ["ada"]


def test_shared_emails_are_imported_with_a_warning(manager_client, ada):
    content = csv_bytes(
        "Bob,ADA@example.com,bob,", "Cy,cy@example.com,cy,", "Di,cy@example.com,di,"
    )
    response = manager_client.post(url("creator_import_upload"), upload(content))
    page = manager_client.get(response.url).content.decode()
    assert "Shared emails (2)" in page and "Import 3 creators" in page
    assert "ada@example.com is also the email of @ada, already in this workspace" in page
    assert "cy@example.com is also the email of @cy (line 3)" in page
    manager_client.post(url("creator_import_confirm", import_id=CsvImport.objects.get().pk))
    assert Creator.objects.filter(email="cy@example.com").count() == 2


def test_upload_bad_file_shows_the_reason(manager_client, workspace):
    response = manager_client.post(url("creator_import_upload"), upload(b"email\nx@y.z\n"))
    assert "no 'name' or 'handle' column" in response.context["form"].errors["file"][0]
    assert not CsvImport.objects.exists()


def test_confirm_small_import(manager_client, preview):
    response = manager_client.post(url("creator_import_confirm", import_id=preview.pk))
    assert response.status_code == 302
    page = manager_client.get(response.url).content.decode()
    assert "Imported" in page and "hx-trigger" not in page
    assert list(Creator.objects.values_list("handle", flat=True)) == ["bob"]


def test_large_import_page_polls_progress_until_done(manager_client, workspace):
    csv_import = services.preview_import(workspace, many_rows(services.SYNC_IMPORT_MAX_ROWS + 1))
    manager_client.post(url("creator_import_confirm", import_id=csv_import.pk))
    partial = manager_client.get(
        url("creator_import", import_id=csv_import.pk), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert not Creator.objects.exists()
    services.run_import(csv_import.pk)
    partial = manager_client.get(
        url("creator_import", import_id=csv_import.pk), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in partial and "201</strong> creators added" in partial


def test_viewer_sees_preview_without_confirm_button(viewer_client, preview):
    page = viewer_client.get(url("creator_import", import_id=preview.pk)).content.decode()
    assert "Nothing has been imported yet." in page
    assert url("creator_import_confirm", import_id=preview.pk) not in page


# --- tenancy and roles --------------------------------------------------------------------


def _object_pages(ada: Creator, preview: CsvImport, slug: str) -> list[str]:
    return [
        url("creator_edit", slug, creator_id=ada.pk),
        url("creator_delete", slug, creator_id=ada.pk),
        url("creator_import", slug, import_id=preview.pk),
    ]


def _object_posts(ada: Creator, preview: CsvImport, slug: str) -> list[tuple[str, dict]]:
    return [
        (url("creator_edit", slug, creator_id=ada.pk), {"name": "Eve", "handle": "eve"}),
        (url("creator_delete", slug, creator_id=ada.pk), {}),
        (url("creator_import_confirm", slug, import_id=preview.pk), {}),
    ]


def _pages(ada: Creator, preview: CsvImport, slug: str) -> list[str]:
    workspace_pages = [
        url(name, slug) for name in ("creator_list", "creator_add", "creator_import_upload")
    ]
    return workspace_pages + _object_pages(ada, preview, slug)


def _posts(ada: Creator, preview: CsvImport, slug: str) -> list[tuple[str, dict]]:
    return [
        (url("creator_add", slug), {"name": "Eve", "handle": "eve"}),
        (url("creator_import_upload", slug), upload(csv_bytes("Eve,,eve,"))),
        *_object_posts(ada, preview, slug),
    ]


def test_outsider_gets_404_everywhere_and_changes_nothing(outsider_client, ada, preview):
    before = snapshot()
    for page in _pages(ada, preview, "acme"):
        assert outsider_client.get(page).status_code == 404, page
    for target, data in _posts(ada, preview, "acme"):
        assert outsider_client.post(target, data).status_code == 404, target
    assert snapshot() == before


def test_outsider_cannot_reach_acme_objects_through_own_workspace(outsider_client, ada, preview):
    """The outsider owns globex: acme's ids under /w/globex/ are still 404."""
    before = snapshot()
    for page in _object_pages(ada, preview, "globex"):
        assert outsider_client.get(page).status_code == 404, page
    for target, data in _object_posts(ada, preview, "globex"):
        assert outsider_client.post(target, data).status_code == 404, target
    assert snapshot() == before


def test_viewer_gets_403_on_every_write_and_changes_nothing(viewer_client, ada, preview):
    before = snapshot()
    for target, data in _posts(ada, preview, "acme"):
        assert viewer_client.post(target, data).status_code == 403, target
    for name, kwargs in [
        ("creator_add", {}),
        ("creator_edit", {"creator_id": ada.pk}),
        ("creator_delete", {"creator_id": ada.pk}),
        ("creator_import_upload", {}),
    ]:
        assert viewer_client.get(url(name, **kwargs)).status_code == 403, name
    assert snapshot() == before


def test_anonymous_is_sent_to_login(client, ada):
    response = client.get(url("creator_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
