"""Field types shared by the endpoints.

`Id` is an object id as the database holds it: a positive 64-bit integer. Declaring ids
(in paths, filters and bodies) with it makes a larger number a 422 naming the field, and
documents the range in the OpenAPI document.
"""

from enum import StrEnum
from typing import Annotated

from django.db.models import TextChoices
from pydantic import Field

INT64_MAX = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=INT64_MAX)]


def schema_enum(name: str, choices: type[TextChoices]) -> type[StrEnum]:
    """A model's choices under a schema name of their own: the OpenAPI document names an
    enum schema by its class name, so two `Status` enums would share one (the campaign's
    `status` was documented with the invite link's values)."""
    return StrEnum(name, [(choice.name, choice.value) for choice in choices])  # type: ignore[return-value]
