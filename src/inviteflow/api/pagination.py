"""`limit` / `offset` pagination answering {"items": [...], "count": N}."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

from inviteflow.api.fields import INT64_MAX

MAX_LIMIT = 500


class PageParams(Schema):
    """Out of range (a limit past 500, an offset past 64 bits) is a 422 naming the field."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=INT64_MAX)


def page_of(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    return {
        "items": list(queryset[params.offset : params.offset + params.limit]),
        "count": queryset.count(),
    }
