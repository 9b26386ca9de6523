"""The committed OpenAPI document (docs/openapi.json) matches the code: `make openapi` regenerates it."""

import importlib
import json
import pkgutil
from collections import Counter
from pathlib import Path

from ninja import Schema

import inviteflow.api
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


def test_no_two_schemas_share_a_name():
    """The document keys schemas by class name: a second SyncOut silently replaced the first,
    and the post sync was documented with the insights sync's fields."""
    modules = [
        importlib.import_module(f"inviteflow.api.{info.name}")
        for info in pkgutil.iter_modules(inviteflow.api.__path__)
    ]
    names = Counter(
        value.__name__
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Schema)
        and value.__module__ == module.__name__
    )
    assert [name for name, count in names.items() if count > 1] == []


def test_each_sync_endpoint_documents_its_own_counters():
    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))

    def fields(path):
        ok = schema["paths"][f"/api/v1/campaigns/{{campaign_id}}/{path}"]["get"]["responses"]["200"]
        name = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        return set(schema["components"]["schemas"][name]["properties"])

    assert {"videos_seen", "posts_added"} <= fields("sync")
    assert {"reports_fetched", "posts_finalized"} <= fields("insights/sync")


def test_each_status_enum_has_its_own_schema():
    """Campaign.Status and InviteLink.Status were both "Status": the campaign's `status`
    pointed at the invite link's values, so "draft" failed validation against the document."""
    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    components = schema["components"]["schemas"]
    status = components["CampaignOut"]["properties"]["status"]["$ref"].rsplit("/", 1)[-1]
    assert components[status]["enum"] == ["draft", "active", "completed"]
    link_status = components["InviteLinkOut"]["properties"]["status"]["$ref"].rsplit("/", 1)[-1]
    assert components[link_status]["enum"] == [
        "pending",
        "active",
        "exhausted",
        "retired",
        "failed",
    ]


def test_every_operation_documents_its_error_answers():
    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "422"):
                documented = operation["responses"].get(status, {})
                assert (
                    documented.get("content", {}).get("application/json", {}).get("schema") == error
                ), f"{method.upper()} {path} does not document {status}"
