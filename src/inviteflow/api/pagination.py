"""`limit` / `offset` pagination answering {"items": [...], "count": N}."""

from typing import Any

from django.db.models import QuerySet
from ninja import Schema

from inviteflow.api.errors import ApiError

MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = 50
    offset: int = 0


def page_of(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    if not 1 <= params.limit <= MAX_LIMIT:
        raise ApiError(422, "invalid", f"limit: must be between 1 and {MAX_LIMIT}")
    if params.offset < 0:
        raise ApiError(422, "invalid", "offset: must be 0 or more")
    return {
        "items": list(queryset[params.offset : params.offset + params.limit]),
        "count": queryset.count(),
    }
