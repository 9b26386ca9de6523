"""Builders shared by the creators tests and the creators API tests."""

from inviteflow.accounts.models import Workspace
from inviteflow.creators import services
from inviteflow.creators.models import Creator

HEADER = "name,email,handle,notes"


def add_creator(workspace: Workspace, handle: str, name: str = "", **extra: str) -> Creator:
    return services.create_creator(workspace, name=name or handle.title(), handle=handle, **extra)


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *lines]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def many_rows(count: int, prefix: str = "creator") -> bytes:
    """`count` valid, distinct rows."""
    return csv_bytes(*(f"Creator {i},c{i}@example.com,@{prefix}_{i},row {i}" for i in range(count)))
