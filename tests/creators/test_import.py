"""CSV import end to end through the services and the task: preview changes nothing,
confirm imports the valid rows, progress is visible, failures leave nothing half-imported,
and running the task twice imports once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inviteflow.creators import services
from inviteflow.creators.models import Creator, CsvImport
from inviteflow.creators.tasks import import_creators
from tests.creators.factories import add_creator, csv_bytes, many_rows


def preview(workspace, content: bytes) -> CsvImport:
    return services.preview_import(workspace, content, "creators.csv")


def queue(csv_import: CsvImport) -> None:
    """Confirmed, as the confirm service leaves a large import (without running it)."""
    CsvImport.objects.filter(pk=csv_import.pk).update(status=CsvImport.Status.QUEUED)


def test_preview_lists_problems_and_imports_nothing(workspace):
    add_creator(workspace, "taken")
    content = csv_bytes("Ada,,ada,", ",x,bad handle,", "T,,taken,", "A2,,ada,")
    csv_import = preview(workspace, content)
    assert csv_import.status == CsvImport.Status.PREVIEW
    assert [row["handle"] for row in csv_import.rows] == ["ada"]
    assert {(e["line"], e["field"]) for e in csv_import.errors} == {
        (3, "name"),
        (3, "email"),
        (3, "handle"),
    }
    assert [(d["line"], d["handle"]) for d in csv_import.duplicates] == [(4, "taken"), (5, "ada")]
    assert list(Creator.objects.values_list("handle", flat=True)) == ["taken"]


def test_small_import_runs_on_confirm(workspace):
    csv_import = services.confirm_import(preview(workspace, csv_bytes("Ada,,ada,", "Bob,,bob,")))
    assert (csv_import.status, csv_import.imported, csv_import.processed) == ("done", 2, 2)
    assert set(Creator.objects.values_list("handle", flat=True)) == {"ada", "bob"}
    assert Creator.objects.get(handle="ada").source_import == csv_import


def test_large_import_is_enqueued_on_commit(workspace, django_capture_on_commit_callbacks):
    csv_import = preview(workspace, many_rows(services.SYNC_IMPORT_MAX_ROWS + 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.confirm_import(csv_import)
    assert len(callbacks) == 1 and not DBTaskResult.objects.exists()  # nothing before commit
    callbacks[0]()
    task_row = DBTaskResult.objects.get()
    assert task_row.task_path == "inviteflow.creators.tasks.import_creators"
    assert task_row.args_kwargs["args"] == [csv_import.pk]
    csv_import.refresh_from_db()
    assert csv_import.status == CsvImport.Status.QUEUED and not Creator.objects.exists()


def test_confirming_twice_queues_once(workspace, django_capture_on_commit_callbacks):
    csv_import = preview(workspace, many_rows(services.SYNC_IMPORT_MAX_ROWS + 1))
    with django_capture_on_commit_callbacks() as callbacks:
        services.confirm_import(csv_import)
        services.confirm_import(csv_import)
    assert len(callbacks) == 1


def test_5000_rows_through_the_task_with_progress(workspace, monkeypatch):
    csv_import = preview(workspace, many_rows(5000))
    assert csv_import.total == 5000
    queue(csv_import)
    seen = _record_progress(monkeypatch, csv_import)
    import_creators.call(csv_import.pk)
    csv_import.refresh_from_db()
    assert (csv_import.status, csv_import.imported) == (CsvImport.Status.DONE, 5000)
    assert csv_import.processed == csv_import.total == 5000 and csv_import.percent == 100
    assert seen == list(range(0, 5000, services.CHUNK_ROWS))  # progress written between chunks
    assert Creator.objects.filter(workspace=workspace).count() == 5000


def _record_progress(monkeypatch, csv_import: CsvImport) -> list[int]:
    """The `processed` value another connection would see as each chunk starts."""
    seen: list[int] = []
    original = services._existing_handles

    def spy(workspace, handles):
        seen.append(CsvImport.objects.get(pk=csv_import.pk).processed)
        return original(workspace, handles)

    monkeypatch.setattr(services, "_existing_handles", spy)
    return seen


def test_failure_mid_import_leaves_nothing(workspace, monkeypatch):
    csv_import = preview(workspace, many_rows(1200))
    queue(csv_import)
    calls = []
    original = services._insert_chunk

    def insert_then_fail(creators):
        calls.append(len(creators))
        if len(calls) > 1:
            raise RuntimeError("disk full")
        original(creators)

    monkeypatch.setattr(services, "_insert_chunk", insert_then_fail)
    import_creators.call(csv_import.pk)
    csv_import.refresh_from_db()
    assert calls == [500, 500]  # the first chunk really was inserted before the failure
    assert csv_import.status == CsvImport.Status.FAILED
    assert csv_import.failure == "Nothing was imported: disk full"
    assert not Creator.objects.exists()


def test_failed_import_can_be_retried(workspace, monkeypatch):
    csv_import = preview(workspace, csv_bytes("Ada,,ada,"))
    monkeypatch.setattr(services, "_insert_chunk", _raise)
    assert services.confirm_import(csv_import).status == CsvImport.Status.FAILED
    monkeypatch.undo()
    retried = services.confirm_import(csv_import)
    assert (retried.status, retried.imported, retried.failure) == ("done", 1, "")


def _raise(creators):
    raise RuntimeError("boom")


def test_task_twice_imports_once(workspace):
    csv_import = preview(workspace, many_rows(300))
    queue(csv_import)
    import_creators.call(csv_import.pk)
    import_creators.call(csv_import.pk)
    csv_import.refresh_from_db()
    assert csv_import.imported == 300 and Creator.objects.count() == 300


def test_task_ignores_imports_not_confirmed(workspace):
    csv_import = preview(workspace, csv_bytes("Ada,,ada,"))
    import_creators.call(csv_import.pk)
    csv_import.refresh_from_db()
    assert csv_import.status == CsvImport.Status.PREVIEW and not Creator.objects.exists()


def test_stale_running_import_is_taken_over(workspace):
    csv_import = preview(workspace, csv_bytes("Ada,,ada,"))
    long_ago = timezone.now() - services.STALE_CLAIM_AFTER - timedelta(minutes=1)
    CsvImport.objects.filter(pk=csv_import.pk).update(status="running", started_at=long_ago)
    import_creators.call(csv_import.pk)
    assert CsvImport.objects.get(pk=csv_import.pk).status == CsvImport.Status.DONE


def test_running_import_is_left_alone(workspace):
    csv_import = preview(workspace, csv_bytes("Ada,,ada,"))
    CsvImport.objects.filter(pk=csv_import.pk).update(status="running", started_at=timezone.now())
    import_creators.call(csv_import.pk)
    assert not Creator.objects.exists()


def test_handles_added_after_the_preview_are_skipped(workspace):
    csv_import = preview(workspace, csv_bytes("Ada,,ada,", "Bob,,bob,"))
    add_creator(workspace, "bob", name="Bob (added by hand)")
    csv_import = services.confirm_import(csv_import)
    assert csv_import.imported == 1
    assert csv_import.duplicates[-1] == {
        "line": 3,
        "name": "Bob",
        "handle": "bob",
        "reason": "@bob is already in this workspace",
    }
    assert Creator.objects.get(handle="bob").name == "Bob (added by hand)"


@pytest.mark.parametrize("status", ["queued", "running", "done"])
def test_confirm_does_nothing_once_past_preview(workspace, status):
    csv_import = preview(workspace, csv_bytes("Ada,,ada,"))
    CsvImport.objects.filter(pk=csv_import.pk).update(status=status)
    assert services.confirm_import(csv_import).status == status
    assert not Creator.objects.exists()
