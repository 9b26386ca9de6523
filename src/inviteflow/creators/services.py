"""State changes for the creator roster: add, edit, delete, and CSV imports.

Views, API endpoints and tasks call these; none of them writes Creator or CsvImport rows
itself. Bad input raises Django's ValidationError with a dict naming the field.
"""

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import User, Workspace
from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.creators.csv_import import (
    duplicate,
    parse_creators_csv,
    split_duplicates,
    with_email_warnings,
)
from inviteflow.creators.models import Creator, CsvImport
from inviteflow.creators.validation import CreatorFields, field_problems

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("name", "email", "handle", "notes")
SYNC_IMPORT_MAX_ROWS = 200  # up to this many rows import inside the request, for snappiness
CHUNK_ROWS = 500
IMPORT_CREATORS = job("creators.import_creators")
STALE_CLAIM_AFTER = timedelta(minutes=15)  # a worker that died mid-import is retried after this


# --- one creator -------------------------------------------------------------------------


def create_creator(workspace: Workspace, **values: str) -> Creator:
    fields = _validated(workspace, CreatorFields.normalised(**values))
    creator = Creator(workspace=workspace, **fields.as_dict())
    _save_unique(creator)
    return creator


def update_creator(creator: Creator, **changes: str) -> Creator:
    """Apply the given fields only (a PATCH); the others keep their values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "cannot be changed" for name in sorted(unknown)})
    current = {name: getattr(creator, name) for name in EDITABLE_FIELDS}
    fields = CreatorFields.normalised(**{**current, **changes})
    _validated(creator.workspace, fields, exclude_pk=creator.pk)
    for name, value in fields.as_dict().items():
        setattr(creator, name, value)
    _save_unique(creator)
    return creator


# Apps above the roster (campaigns, links) retire what a deleted creator leaves behind:
# creators may not import them, so they register here from their AppConfig.ready().
CreatorDeleted = Callable[[Creator], object]
_ON_DELETE: list[CreatorDeleted] = []


def on_delete(hook: CreatorDeleted) -> None:
    if hook not in _ON_DELETE:
        _ON_DELETE.append(hook)


def delete_creator(creator: Creator) -> None:
    """Hide the creator everywhere, take them off every roster and retire their links, but
    keep the row: their posts are campaign history, and a post that still arrives through
    an old link must find whom it belongs to (it is recorded and flagged, never dropped)."""
    with transaction.atomic():
        deleted = Creator.objects.filter(pk=creator.pk).update(deleted_at=timezone.now())
        if deleted:
            for hook in _ON_DELETE:
                hook(creator)


def _validated(
    workspace: Workspace, fields: CreatorFields, exclude_pk: int | None = None
) -> CreatorFields:
    problems = field_problems(fields)
    if "handle" not in problems and _handle_taken(workspace, fields.handle, exclude_pk):
        problems["handle"] = _taken_message(fields.handle)
    if problems:
        raise ValidationError(problems)
    return fields


def _handle_taken(workspace: Workspace, handle: str, exclude_pk: int | None) -> bool:
    others = scoped(Creator, workspace).filter(handle=handle)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _taken_message(handle: str) -> str:
    return f"@{handle} is already in this workspace"


def _save_unique(creator: Creator) -> None:
    """Save; a concurrent request that took the handle first still gets a field error."""
    try:
        with transaction.atomic():
            creator.save()
    except IntegrityError as exc:
        raise ValidationError({"handle": _taken_message(creator.handle)}) from exc


# --- CSV import: preview --------------------------------------------------------------------


def preview_import(
    workspace: Workspace, content: bytes, filename: str = "", created_by: User | None = None
) -> CsvImport:
    """Read the file into a CsvImport waiting for confirmation. No creator changes here."""
    parsed = parse_creators_csv(content)
    existing = _existing_handles(workspace, [row["handle"] for row in parsed.rows])
    rows, duplicates = split_duplicates(parsed.rows, existing)
    rows = with_email_warnings(rows, _existing_emails(workspace, [row["email"] for row in rows]))
    return CsvImport.objects.create(
        workspace=workspace,
        created_by=created_by,
        filename=filename[:255],
        rows=rows,
        errors=parsed.errors,
        duplicates=duplicates,
        total=len(rows),
    )


def _existing_handles(workspace: Workspace, handles: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(handles, CHUNK_ROWS):  # stays under SQLite's bound-parameter limit
        found.update(
            scoped(Creator, workspace).filter(handle__in=chunk).values_list("handle", flat=True)
        )
    return found


def _existing_emails(workspace: Workspace, emails: list[str]) -> dict[str, str]:
    """Email → handle of the workspace's creators who have one of `emails`."""
    found: dict[str, str] = {}
    for chunk in _chunks([email for email in emails if email], CHUNK_ROWS):
        creators = scoped(Creator, workspace).filter(email__in=chunk).order_by("handle")
        for email, handle in creators.values_list("email", "handle"):
            found.setdefault(email, handle)
    return found


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- CSV import: confirm --------------------------------------------------------------------


def confirm_import(csv_import: CsvImport) -> CsvImport:
    """Queue a previewed (or failed) import. Small files import right away, larger ones in
    the background; confirming twice (a double click) queues it once."""
    with transaction.atomic():
        queued = CsvImport.objects.filter(
            pk=csv_import.pk, status__in=[CsvImport.Status.PREVIEW, CsvImport.Status.FAILED]
        ).update(status=CsvImport.Status.QUEUED, processed=0, failure="")
        if queued and csv_import.total > SYNC_IMPORT_MAX_ROWS:
            enqueue_on_commit(IMPORT_CREATORS, csv_import.pk)
    if queued and csv_import.total <= SYNC_IMPORT_MAX_ROWS:
        run_import(csv_import.pk)
    csv_import.refresh_from_db()
    return csv_import


# --- CSV import: run (the task body) ---------------------------------------------------------
#
# Progress AND all-or-nothing. On SQLite a transaction holds the only write lock, so progress
# cannot be written from inside the inserting transaction, nor from a second connection while
# it is open. So the work runs in two phases:
#   1. prepare, chunk by chunk, in short autocommit writes: re-check each chunk's handles
#      against the roster (creators may have been added since the preview), build the rows,
#      and record `processed` after each chunk — this is the progress the page polls;
#   2. insert every prepared row in ONE transaction (bulk_create in chunks), and mark the
#      import done in that same transaction. A failure rolls all of it back: nothing is
#      half-imported, the import is marked failed with the message and can be retried.
# The insert of 5,000 rows takes well under a second; the bar shows "saving" meanwhile.
# Idempotent: a conditional UPDATE claims the import (queued → running) so a second run of
# the task finds nothing to do, and ignore_conflicts on the unique handle means even a racing
# run could not create a creator twice.


def run_import(import_id: int) -> None:
    if not _claim(import_id):
        return
    csv_import = CsvImport.objects.select_related("workspace").get(pk=import_id)
    try:
        creators, late_duplicates = _prepare(csv_import)
        _insert_all(csv_import, creators, late_duplicates)
    except Exception as exc:
        logger.exception("CSV import %s failed", import_id)
        _record_failure(csv_import, exc)


def _claim(import_id: int) -> bool:
    """Queued → running, or take over a running import whose worker went silent."""
    now = timezone.now()
    claimable = Q(status=CsvImport.Status.QUEUED) | Q(
        status=CsvImport.Status.RUNNING, started_at__lt=now - STALE_CLAIM_AFTER
    )
    return bool(
        CsvImport.objects.filter(claimable, pk=import_id).update(
            status=CsvImport.Status.RUNNING, started_at=now, processed=0
        )
    )


def _prepare(csv_import: CsvImport) -> tuple[list[Creator], list[dict[str, Any]]]:
    creators: list[Creator] = []
    late_duplicates: list[dict[str, Any]] = []
    for done, chunk in enumerate(_chunks(csv_import.rows, CHUNK_ROWS), start=1):
        taken = _existing_handles(csv_import.workspace, [row["handle"] for row in chunk])
        for row in chunk:
            if row["handle"] in taken:
                late_duplicates.append(duplicate(row, _taken_message(row["handle"])))
            else:
                creators.append(_creator_from_row(csv_import, row))
        processed = min(done * CHUNK_ROWS, len(csv_import.rows))
        CsvImport.objects.filter(pk=csv_import.pk).update(processed=processed)
    return creators, late_duplicates


def _creator_from_row(csv_import: CsvImport, row: dict[str, Any]) -> Creator:
    return Creator(
        workspace=csv_import.workspace,
        source_import=csv_import,
        name=row["name"],
        email=row["email"],
        handle=row["handle"],
        notes=row["notes"],
    )


def _insert_all(
    csv_import: CsvImport, creators: list[Creator], late_duplicates: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        for chunk in _chunks(creators, CHUNK_ROWS):
            _insert_chunk(chunk)
        finished = CsvImport.objects.filter(
            pk=csv_import.pk, status=CsvImport.Status.RUNNING
        ).update(
            status=CsvImport.Status.DONE,
            finished_at=timezone.now(),
            imported=csv_import.creators.count(),
            duplicates=csv_import.duplicates + late_duplicates,
        )
        if not finished:  # another run took it over meanwhile: leave the outcome to that one
            transaction.set_rollback(True)


def _insert_chunk(creators: list[Creator]) -> None:
    Creator.objects.bulk_create(creators, ignore_conflicts=True)


def _record_failure(csv_import: CsvImport, exc: Exception) -> None:
    CsvImport.objects.filter(pk=csv_import.pk).update(
        status=CsvImport.Status.FAILED,
        finished_at=timezone.now(),
        failure=f"Nothing was imported: {exc}"[:1000],
    )
