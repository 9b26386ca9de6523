"""/api/v1/creators: the creator roster and CSV imports. Thin: the rules live in
inviteflow.creators.services; objects come through the tenant helpers (another workspace's
id is a 404)."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from inviteflow.accounts.access import get_for_workspace
from inviteflow.api.auth import workspace_of
from inviteflow.api.errors import Error
from inviteflow.api.fields import Id
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.creators import services
from inviteflow.creators.csv_import import MAX_BYTES
from inviteflow.creators.models import Creator, CsvImport
from inviteflow.creators.queries import search_creators

router = Router(tags=["creators"])


class CreatorIn(Schema):
    name: str = ""
    email: str = ""
    handle: str = ""
    notes: str = ""


class CreatorPatch(Schema):
    name: str | None = None
    email: str | None = None
    handle: str | None = None
    notes: str | None = None


class CreatorOut(Schema):
    id: int
    name: str
    email: str
    handle: str
    notes: str
    created_at: datetime


class CreatorPage(Schema):
    items: list[CreatorOut]
    count: int


class RowError(Schema):
    line: int
    field: str
    reason: str
    value: str = ""


class DuplicateRow(Schema):
    line: int
    name: str
    handle: str
    reason: str


class ImportOut(Schema):
    """A CSV import: `valid` rows are imported on confirm; progress is `processed` of `valid`."""

    id: int
    status: Literal["preview", "queued", "running", "done", "failed"]
    filename: str
    valid: int
    processed: int
    imported: int
    percent: int
    failure: str
    errors: list[RowError]
    duplicates: list[DuplicateRow]
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_valid(obj: CsvImport) -> int:
        return obj.total


@router.get("", response=CreatorPage, summary="List creators (search with q)")
def list_creators(request: HttpRequest, params: Query[PageParams], q: str = "") -> dict:
    return page_of(search_creators(workspace_of(request), q), params)


@router.post("", response={201: CreatorOut}, summary="Add a creator")
def create_creator(request: HttpRequest, payload: CreatorIn) -> Status[Creator]:
    return Status(201, services.create_creator(workspace_of(request), **payload.dict()))


@router.get("/{int:creator_id}", response=CreatorOut, summary="One creator")
def get_creator(request: HttpRequest, creator_id: Id) -> Creator:
    return get_for_workspace(Creator, workspace_of(request), pk=creator_id)


@router.patch("/{int:creator_id}", response=CreatorOut, summary="Change some of a creator's fields")
def update_creator(request: HttpRequest, creator_id: Id, payload: CreatorPatch) -> Creator:
    creator = get_for_workspace(Creator, workspace_of(request), pk=creator_id)
    return services.update_creator(creator, **payload.dict(exclude_unset=True))


@router.delete("/{int:creator_id}", response={204: None}, summary="Delete a creator")
def delete_creator(request: HttpRequest, creator_id: Id) -> Status[None]:
    services.delete_creator(get_for_workspace(Creator, workspace_of(request), pk=creator_id))
    return Status(204, None)


CSV_BODY_DOC = {"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.post(
    "/import",
    response={200: ImportOut, 202: ImportOut, 413: Error},
    summary="Import a CSV",
    openapi_extra=CSV_BODY_DOC,
)
def import_csv(
    request: HttpRequest, file: File[UploadedFile | None] = None, confirm: bool = False
) -> Status[CsvImport]:
    """Send the CSV as multipart field `file`, or as a raw text/csv body. Without `confirm`
    the answer is a preview (200) and no creator changes; with `confirm=true` (query or form
    field) the valid rows are imported — large files in the background — and the answer is
    202 with the import's status (poll GET /imports/{id})."""
    content, filename = _csv_content(request, file)
    csv_import = services.preview_import(workspace_of(request), content, filename)
    if not (confirm or request.POST.get("confirm", "").lower() in ("1", "true", "yes", "on")):
        return Status(200, csv_import)
    return Status(202, services.confirm_import(csv_import))


def _csv_content(request: HttpRequest, file: UploadedFile | None) -> tuple[bytes, str]:
    if file is not None:
        return file.read(MAX_BYTES + 1), file.name or ""
    if (request.content_type or "").startswith("multipart/"):
        raise ValidationError({"file": "required: send the CSV in the multipart field 'file'"})
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise ValidationError({"file": "too large for a raw body: send it as multipart"}) from exc
    if not body:
        raise ValidationError({"file": "required: send a CSV file or a text/csv body"})
    return body, ""


@router.get("/imports/{int:import_id}", response=ImportOut, summary="A CSV import and its progress")
def get_import(request: HttpRequest, import_id: Id) -> CsvImport:
    return get_for_workspace(CsvImport, workspace_of(request), pk=import_id)


@router.post(
    "/imports/{int:import_id}/confirm",
    response={202: ImportOut},
    summary="Confirm a previewed CSV import",
)
def confirm_import(request: HttpRequest, import_id: Id) -> Status[CsvImport]:
    csv_import = get_for_workspace(CsvImport, workspace_of(request), pk=import_id)
    return Status(202, services.confirm_import(csv_import))
