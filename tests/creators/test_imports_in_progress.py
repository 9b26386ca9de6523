"""An import confirmed and not finished shows its progress on the pages where imports start
(the Creators list and Import CSV), read from the database: whoever navigates away and comes
back sees it running, and its card polls until the import is done."""

import pytest
from django.urls import reverse

from inviteflow.creators import services
from inviteflow.creators.models import CsvImport
from tests.creators.factories import many_rows

POLLING = 'hx-trigger="every 1s"'


def url(name: str, slug: str = "acme") -> str:
    return reverse(name, kwargs={"slug": slug})


@pytest.fixture
def running(manager_client, workspace) -> CsvImport:
    """A confirmed import too large to run in the request: queued for the worker."""
    csv_import = services.preview_import(
        workspace, many_rows(services.SYNC_IMPORT_MAX_ROWS + 1), "big.csv"
    )
    manager_client.post(
        reverse("creator_import_confirm", kwargs={"slug": "acme", "import_id": csv_import.pk})
    )
    csv_import.refresh_from_db()
    assert csv_import.in_progress
    return csv_import


@pytest.mark.parametrize("page", ["creator_list", "creator_import_upload"])
def test_a_running_import_shows_its_progress_where_imports_start(manager_client, running, page):
    html = manager_client.get(url(page)).content.decode()
    detail = reverse("creator_import", kwargs={"slug": "acme", "import_id": running.pk})
    assert f'href="{detail}">Import big.csv</a>' in html
    assert POLLING in html and f'hx-get="{detail}"' in html
    assert f"0 of {running.total} rows checked" in html


@pytest.mark.parametrize("page", ["creator_list", "creator_import_upload"])
def test_a_finished_import_is_no_longer_shown_as_running(manager_client, running, page):
    services.run_import(running.pk)
    html = manager_client.get(url(page)).content.decode()
    assert "Import big.csv" not in html and POLLING not in html


def test_a_preview_not_confirmed_is_not_running(manager_client, workspace):
    services.preview_import(workspace, many_rows(3), "small.csv")
    html = manager_client.get(url("creator_list")).content.decode()
    assert "Import small.csv" not in html and POLLING not in html


def test_the_search_partial_leaves_the_progress_card_alone(manager_client, running):
    partial = manager_client.get(url("creator_list"), {"q": "x"}, headers={"HX-Request": "true"})
    assert "Import big.csv" not in partial.content.decode()


def test_another_workspace_does_not_see_the_import(outsider_client, running):
    html = outsider_client.get(url("creator_list", "globex")).content.decode()
    assert "Import big.csv" not in html and POLLING not in html
