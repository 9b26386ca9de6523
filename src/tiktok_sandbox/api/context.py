"""What every TikTok-shaped endpoint needs from a request, with TikTok's validation rules.

Access checks live here and only here (token → 40104/40105/40102, account reachable → 40001, app
credentials), as do the parameter readers: GET parameters are query strings in which lists are
JSON-encoded (`campaign_ids=["1","2"]`, contract §1.5), POST parameters come in a JSON body. A bad
or missing parameter raises 40002 with a message naming the field, before anything is changed.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Collection
from datetime import date
from typing import Any

from werkzeug.wrappers import Request

from tiktok_sandbox.runtime import Runtime, UnitOfWork
from tiktok_sandbox.store import Row

PERMISSION_ERROR = 40001
PARAM_ERROR = 40002
ID_LIMIT_EXCEED = 40011
INTERFACE_OFFLINE = 41001


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def param_error(name: str, reason: str) -> ApiError:
    return ApiError(PARAM_ERROR, f"{name}: {reason}")


class ApiContext:
    def __init__(self, rt: Runtime, request: Request, work: UnitOfWork) -> None:
        self.rt, self.request, self.work = rt, request, work
        self.config = rt.config
        self.store = rt.store
        self.now_ms = rt.now_ms()

    @functools.cached_property
    def params(self) -> dict[str, Any]:
        """Read on first use, so a bad body never hides a missing or bad token."""
        return _read_params(self.request)

    @property
    def base_url(self) -> str:
        return self.rt.base_url(self.request)

    # -- access -----------------------------------------------------------------------------

    def token(self, raw: str | None = None) -> Row:
        """The request's `Access-Token` (or the given token), which must be usable."""
        raw = (self.request.headers.get("Access-Token", "") if raw is None else raw).strip()
        if not raw:
            raise ApiError(40104, "Access-Token is missing from the request header.")
        token = self.store.token(raw)
        if not token or token["revoked_ms"]:
            raise ApiError(40105, "The access token is invalid or has been revoked.")
        if token["expires_ms"] is not None and token["expires_ms"] <= self.now_ms:
            raise ApiError(40102, "The access token has expired.")
        return token

    def account(self, name: str = "tto_tcm_account_id") -> Row:
        """The account named by `name`, which the request's token must reach."""
        token = self.token()
        account_id = self.text(name, required=True)
        account = self.store.account(account_id) if account_id in token["account_ids"] else None
        if not account:
            raise ApiError(40001, f"No permission to access account {account_id} with this token.")
        return account

    def app(self) -> None:
        """`app_id` + `secret` must be the developer app's."""
        app_id, secret = self.text("app_id", required=True), self.text("secret", required=True)
        if app_id != self.config.app_id or secret != self.config.app_secret:
            raise ApiError(40001, "app_id or secret is invalid.")

    # -- parameters -------------------------------------------------------------------------

    def text(self, name: str, required: bool = False, max_len: int | None = None) -> Any:
        value = self.params.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or value == "":
            if required:
                raise param_error(name, "is required")
            return None
        if not isinstance(value, str):
            raise param_error(name, "must be a string")
        if max_len and len(value) > max_len:
            raise param_error(name, f"must be at most {max_len} characters")
        return value.strip()

    def id_filter(self, name: str, required: bool = False, max_ids: int | None = None) -> list[str]:
        """A list of ids to filter by: more than `max_ids` (default: the `max_ids_per_filter`
        knob) is TikTok's ID_LIMIT_EXCEED (40011), naming the parameter."""
        ids = self.id_list(name, required=required)
        limit = self.config.max_ids_per_filter if max_ids is None else max_ids
        if len(ids) > limit:
            raise ApiError(ID_LIMIT_EXCEED, f"{name}: must contain at most {limit} ids")
        return ids

    def id_list(self, name: str, required: bool = False, max_items: int | None = None) -> list[str]:
        value = self.params.get(name)
        if isinstance(value, str) and self.request.method == "GET":
            value = _json_value(name, value)
        if value is None or value == []:
            if required:
                raise param_error(name, "is required and must not be empty")
            return []
        if not isinstance(value, list) or not all(_is_id(v) for v in value):
            raise param_error(name, "must be a JSON list of strings")
        if max_items and len(value) > max_items:
            raise param_error(name, f"must contain at most {max_items} items")
        return [str(v).strip() for v in value]

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise param_error(name, "must be an integer") from None
        if isinstance(value, bool) or not low <= number <= high:
            raise param_error(name, f"must be between {low} and {high}")
        return number

    def choice(
        self,
        name: str,
        choices: Collection[str],
        default: str | None = None,
        required: bool = False,
    ) -> Any:
        value = self.text(name, required=required)
        if value is None:
            return default
        if value not in choices:
            raise param_error(name, f"must be one of {', '.join(sorted(choices))}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"true", "false"}:
            return str(value).lower() == "true"
        raise param_error(name, "must be true or false")

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise param_error(name, "must be a date in YYYY-MM-DD format") from None

    def page(self, default_size: int, max_size: int) -> tuple[int, int]:
        return (
            self.integer("page", 1, 1, 1_000_000),
            self.integer("page_size", min(default_size, max_size), 1, max_size),
        )


def page_info(page: int, page_size: int, total: int) -> dict[str, int]:
    return {
        "page": page,
        "page_size": page_size,
        "total_number": total,
        "total_page": math.ceil(total / page_size),
    }


def offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """TikTok omits empty fields from read responses."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _read_params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return request.args.to_dict()
    if not request.get_data():
        return {}
    try:
        body = json.loads(request.get_data())
    except ValueError:
        raise ApiError(PARAM_ERROR, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(PARAM_ERROR, "The request body must be a JSON object.")
    return body


def _json_value(name: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise param_error(name, 'must be a JSON-encoded list, e.g. ["123"]') from None


def _is_id(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(value.strip())
        or (isinstance(value, int) and not isinstance(value, bool))
    )
