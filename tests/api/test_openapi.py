"""The committed OpenAPI document (docs/openapi.json) matches the code: `make openapi` regenerates it."""

import json
from pathlib import Path

from inviteflow.api.urls import api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_code():
    current = api.get_openapi_schema(path_prefix="/api/v1")
    committed = json.loads(COMMITTED.read_text())
    assert json.loads(json.dumps(current, sort_keys=True)) == committed, (
        "docs/openapi.json is out of date: run `make openapi` and commit the result"
    )


def test_every_operation_is_documented_with_tags():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("tags"), f"{method.upper()} {path} has no tag"
