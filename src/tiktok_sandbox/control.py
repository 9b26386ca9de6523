"""The control API (`/sandbox/...`): plays the creator, moves time, injects faults, reports.

Demos, tests and benchmarks drive the emulated world through these JSON endpoints (product.md,
"Sandbox control API"). They are not TikTok's, so they use plain HTTP semantics: 2xx with a JSON
object, or 4xx with `{"error": {"code", "message"}}` (400 bad input, 403 not invited, 404 unknown,
409 refused, e.g. the 11th post through one link). They are never rate-limited or faulted.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import linking
from .clock import format_iso
from .linking import Refused
from .runtime import Runtime
from .store import Row

View = Callable[..., Response]
MAX_ADVANCE_HOURS = 24 * 365 * 5


def json_response(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def error_response(status: int, code: str, message: str | None) -> Response:
    return json_response({"error": {"code": code, "message": message or code}}, status)


def control_view(view: View) -> View:
    """Refusals become 4xx JSON errors."""

    @functools.wraps(view)
    def wrapper(rt: Runtime, request: Request, **args: Any) -> Response:
        try:
            return view(rt, request, **args)
        except Refused as refusal:
            return error_response(refusal.status, refusal.reason, refusal.message)

    return wrapper


@control_view
def publish(rt: Runtime, request: Request) -> Response:
    """POST /sandbox/publish {handle, invite_link?, caption?, hashtags?, branded?}."""
    body = read_body(request)
    with rt.transaction() as work:
        handle = linking.creator_handle(rt, body.get("handle"))
        link = _text(body, "invite_link")
        campaign = linking.campaign_for_link(rt, link) if link else None
        video = linking.publish(
            rt,
            work,
            handle,
            _text(body, "caption", max_len=2200) or "",
            _hashtags(body.get("hashtags")),
            _flag(body, "branded"),
            campaign,
        )
        result = video_view(rt, video)
        if campaign:
            used = linking.posts_used(rt, campaign, handle)
            result.update(posts_used=used, posts_left=campaign["posts_per_creator"] - used)
    return json_response(result, 201)


@control_view
def apply_code(rt: Runtime, request: Request) -> Response:
    """POST /sandbox/apply-code {video_id, campaign_code}."""
    body = read_body(request)
    video_id, code = _text(body, "video_id", True), _text(body, "campaign_code", True)
    with rt.transaction() as work:
        linking.apply_code(rt, work, video_id, code)
        video = rt.store.video(video_id)
        assert video
        return json_response({**video_view(rt, video), "campaign_code": code.strip().upper()})


@control_view
def confirm_link_request(rt: Runtime, request: Request, link_request_id: str) -> Response:
    """POST /sandbox/link-requests/{id}/confirm {action: APPROVE|REJECT}."""
    action = _text(read_body(request), "action", True)
    if action not in ("APPROVE", "REJECT"):
        raise Refused("invalid_request", "action must be APPROVE or REJECT.", 400)
    with rt.transaction() as work:
        answered = linking.confirm_link_request(rt, work, link_request_id, action)
        video = rt.store.video(answered["video_id"])
        linked = bool(video and video["campaign_id"] == answered["campaign_id"])
    return json_response(
        {
            "link_request_id": link_request_id,
            "status": answered["status"],
            "video_id": answered["video_id"],
            "campaign_id": answered["campaign_id"],
            "linked": linked,
        }
    )


@control_view
def link_requests(rt: Runtime, request: Request) -> Response:
    """GET /sandbox/link-requests?video_id= — to find a request id without the brand API."""
    rows = rt.store.link_requests(request.args.get("video_id"))
    return json_response({"link_requests": [_link_request_view(row) for row in rows]})


@control_view
def clock(rt: Runtime, request: Request) -> Response:
    """GET the sandbox time, or POST {advance_hours} to move it forward."""
    if request.method == "GET":
        return json_response(_now_view(rt.now_ms()))
    hours = read_body(request).get("advance_hours")
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int | float)
        or not 0 <= hours <= MAX_ADVANCE_HOURS
    ):
        raise Refused(
            "invalid_request", f"advance_hours must be a number from 0 to {MAX_ADVANCE_HOURS}.", 400
        )
    before, after = rt.advance_clock(hours)
    return json_response(
        {
            **_now_view(after),
            "advanced_hours": hours,
            "taken_down": rt.store.takedowns_between(before, after),
        }
    )


@control_view
def faults(rt: Runtime, request: Request) -> Response:
    """GET the fault settings, or PUT a partial update of them."""
    if request.method == "PUT":
        try:
            rt.update_faults(read_body(request))
        except ValueError as exc:
            raise Refused("invalid_request", str(exc), 400) from None
    return json_response(rt.faults_view())


@control_view
def throttle(rt: Runtime, request: Request) -> Response:
    """POST /sandbox/throttle {cooldown_s?}: start a cool-down now, as a QPM breach does."""
    seconds = read_body(request).get("cooldown_s", rt.config.throttle_cooldown_s)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise Refused("invalid_request", "cooldown_s must be a non-negative number.", 400)
    rt.limiter.start_cooldown(rt.app_key, float(seconds))
    return json_response({"cooldown_remaining_s": rt.limiter.cooldown_remaining(rt.app_key)})


def stats(rt: Runtime, request: Request) -> Response:
    """GET call counters (DELETE clears them first)."""
    if request.method == "DELETE":
        rt.stats.clear()
    by_account = rt.store.campaign_counts()
    return json_response(
        {
            **rt.stats.snapshot(),
            "campaign_objects_created": sum(by_account.values()),
            "campaign_objects_by_account": by_account,
            "webhooks": dict(rt.webhooks.counts),
            "cooldown_remaining_s": rt.limiter.cooldown_remaining(rt.app_key),
        }
    )


def credentials(rt: Runtime, request: Request) -> Response:
    config, base = rt.config, rt.base_url(request)
    return json_response(
        {
            "app_id": config.app_id,
            "secret": config.app_secret,
            "tto_tcm_account_id": config.demo_account_id,
            "access_token": config.demo_access_token,
            "other_account": {
                "tto_tcm_account_id": config.other_account_id,
                "access_token": config.other_access_token,
            },
            "api_base_url": base,
            "authorize_url": f"{base}/portal/auth?app_id={config.app_id}",
        }
    )


def reset(rt: Runtime, request: Request) -> Response:
    rt.reset()
    return json_response({"reset": True, **_now_view(rt.now_ms())})


def videos(rt: Runtime, request: Request) -> Response:
    """GET /sandbox/videos?handle= — every post, removed ones included, with its state."""
    handle = request.args.get("handle")
    rows = rt.store.videos(handle.strip().lstrip("@").lower() if handle else None)
    return json_response({"videos": [video_view(rt, row) for row in rows]})


def campaigns(rt: Runtime, request: Request) -> Response:
    """GET /sandbox/campaigns?account_id= — campaign objects with creators and linked posts."""
    rows = rt.store.campaigns(request.args.get("account_id"))
    return json_response({"campaigns": [_campaign_view(rt, row) for row in rows]})


def webhook_log(rt: Runtime, request: Request) -> Response:
    return json_response({"counts": dict(rt.webhooks.counts), "recent": list(rt.webhooks.recent)})


def video_view(rt: Runtime, video: Row) -> dict[str, Any]:
    now = rt.now_ms()
    return {
        "video_id": video["video_id"],
        "handle": video["handle"],
        "caption": video["caption"],
        "hashtags": video["hashtags"],
        "mentions": video["mentions"],
        "branded": bool(video["branded"]),
        "create_time": format_iso(video["create_ms"]),
        "linked": bool(video["campaign_id"]),
        "campaign_id": video["campaign_id"],
        "linked_via": video["linked_via"],
        "branded_content_toggle": bool(video["campaign_id"]),
        "status": "removed" if linking.is_removed(video, now) else "live",
        "takedown_at": format_iso(video["takedown_ms"]) if video["takedown_ms"] else None,
        "surfaced": bool(video["campaign_id"]) and video["create_ms"] <= linking.surfaced_until(rt),
    }


def read_body(request: Request) -> dict[str, Any]:
    if not request.get_data():
        return {}
    try:
        body = json.loads(request.get_data())
    except ValueError:
        raise Refused("invalid_request", "The body must be JSON.", 400) from None
    if not isinstance(body, dict):
        raise Refused("invalid_request", "The body must be a JSON object.", 400)
    return body


def _campaign_view(rt: Runtime, campaign: Row) -> dict[str, Any]:
    creators = rt.store.campaign_creators(campaign["campaign_id"])
    return {
        "campaign_id": campaign["campaign_id"],
        "account_id": campaign["account_id"],
        "campaign_type": campaign["campaign_type"],
        "campaign_name": campaign["campaign_name"],
        "invite_link": campaign["invite_link"],
        "campaign_code": campaign["campaign_code"],
        "posts_per_creator": campaign["posts_per_creator"],
        "creators": [
            {
                "handle": c["handle"],
                "invited": bool(c["invited"]),
                "joined": bool(c["joined_ms"]),
                "order_id": c["order_id"],
                "posts_used": linking.posts_used(rt, campaign, c["handle"]),
            }
            for c in creators
        ],
        "video_ids": rt.store.campaign_video_ids(campaign["campaign_id"], rt.now_ms()),
    }


def _link_request_view(row: Row) -> dict[str, Any]:
    return {
        "link_request_id": row["link_request_id"],
        "campaign_id": row["campaign_id"],
        "video_id": row["video_id"],
        "status": row["status"],
        "number_of_requests": row["number_of_requests"],
    }


def _now_view(now_ms: int) -> dict[str, Any]:
    return {"now": format_iso(now_ms), "now_ms": now_ms}


def _text(
    body: dict[str, Any], name: str, required: bool = False, max_len: int | None = None
) -> Any:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise Refused("invalid_request", f"{name} is required.", 400)
        return None
    if not isinstance(value, str) or (max_len and len(value) > max_len):
        raise Refused(
            "invalid_request",
            f"{name} must be a string" + (f" of at most {max_len} characters." if max_len else "."),
            400,
        )
    return value


def _hashtags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise Refused("invalid_request", "hashtags must be a list of strings.", 400)
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise Refused("invalid_request", f"{name} must be true or false.", 400)
    return value


RULES = [
    Rule("/sandbox/publish", methods=["POST"], endpoint=publish),
    Rule("/sandbox/apply-code", methods=["POST"], endpoint=apply_code),
    Rule("/sandbox/link-requests", methods=["GET"], endpoint=link_requests),
    Rule(
        "/sandbox/link-requests/<link_request_id>/confirm",
        methods=["POST"],
        endpoint=confirm_link_request,
    ),
    Rule("/sandbox/clock", methods=["GET", "POST"], endpoint=clock),
    Rule("/sandbox/faults", methods=["GET", "PUT"], endpoint=faults),
    Rule("/sandbox/throttle", methods=["POST"], endpoint=throttle),
    Rule("/sandbox/stats", methods=["GET", "DELETE"], endpoint=stats),
    Rule("/sandbox/credentials", methods=["GET"], endpoint=credentials),
    Rule("/sandbox/reset", methods=["POST"], endpoint=reset),
    Rule("/sandbox/videos", methods=["GET"], endpoint=videos),
    Rule("/sandbox/campaigns", methods=["GET"], endpoint=campaigns),
    Rule("/sandbox/webhooks", methods=["GET"], endpoint=webhook_log),
]
