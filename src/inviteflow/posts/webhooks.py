"""TikTok's TCM_VIDEOS webhooks (contract §9): signature and payload, no database.

`X-Open-Signature` is lower-case hex HMAC-SHA256 of the payload, keyed with the app secret.
TikTok signs a unicode-escaped form of the JSON, so a body carrying raw non-ASCII characters
is also checked in that form. An installation without an app secret accepts nothing: an
empty key would let anyone sign.

A delivery is refused at intake unless it is UTF-8 JSON nested at most MAX_DEPTH levels
(TikTok's are 3 deep): a signed body a thousand levels deep would otherwise fail in
processing, again at every retry. A delivery is known by its events' identity — TikTok's
ids and event type — not by its bytes: the escaped (`\u00e9`) and raw forms of one event,
or the same events re-wrapped by a retry, are one delivery.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from inviteflow.core.input_guard import text_problem
from inviteflow.tiktok.schemas import Model, Timestamp

OBJECT_TTO_VIDEO_LINKING = 10
UPLOADED, PUBLISHED = "tto_video_uploaded", "tto_video_published"
MAX_DEPTH = 8
# What makes two entries the same event (contract §9.2); event_time and log_id may differ
# between deliveries of one event.
IDENTITY_FIELDS = (
    "event_type",
    "tto_campaign_event_type",
    "tto_tcm_account_id",
    "campaign_id",
    "video_id",
)
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
BRACKET = re.compile(rb"[\[\]{}]")


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison over the raw bytes (and their unicode-escaped form)."""
    if not secret or not signature:
        return False
    given = signature.strip().lower()
    candidates = [body]
    if not body.isascii():
        candidates.append(unicode_escaped(body))
    return any(hmac.compare_digest(sign(secret, candidate), given) for candidate in candidates)


def unicode_escaped(body: bytes) -> bytes:
    """Every non-ASCII character as JSON's \\uXXXX (surrogate pairs above the BMP)."""
    text = body.decode("utf-8", "replace")
    out = []
    for char in text:
        code = ord(char)
        if code < 0x80:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out).encode("ascii")


class Unreadable(ValueError):
    """A signed delivery that cannot be processed: refused at intake (400), never retried."""


def nesting_depth(body: bytes) -> int:
    """How deep the JSON's arrays and objects nest, without parsing it (brackets in strings
    do not count)."""
    depth = deepest = 0
    for bracket in BRACKET.finditer(JSON_STRING.sub(b"", body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def read(body: bytes) -> Any:
    """The delivery's JSON, or Unreadable saying why."""
    if nesting_depth(body) > MAX_DEPTH:
        raise Unreadable(f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise Unreadable("the body is not UTF-8 JSON") from exc


def identity(payload: Any) -> str:
    """sha256 of the events the delivery carries (the whole JSON when it carries none)."""
    entries = payload.get("entry") if isinstance(payload, dict) else None
    events = sorted(
        {
            json.dumps([str(entry.get(name, "")) for name in IDENTITY_FIELDS])
            for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, dict)
        }
    )
    canonical = json.dumps(events or payload, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class VideoEvent(Model):
    """One `entry` of an object-10 delivery (§9.2); `handle_name` is absent when unresolved."""

    event_type: str = ""
    tto_campaign_event_type: str = ""
    video_id: str = ""
    campaign_id: str = ""
    tto_tcm_account_id: str = ""
    handle_name: str = ""
    event_time: Timestamp = None
    log_id: str = ""

    @property
    def review_state(self) -> str:
        return "published" if self.tto_campaign_event_type == PUBLISHED else "uploaded"


@dataclass(frozen=True)
class Parsed:
    events: list[VideoEvent]
    skipped: list[str]  # why entries were not usable


def parse(body: str) -> Parsed:
    """The video-linking events of a delivery; anything else is skipped with a reason."""
    try:
        payload = json.loads(body)
    except ValueError:
        return Parsed([], ["body is not JSON"])
    except RecursionError:  # stored before intake refused deep bodies
        return Parsed([], ["body nests too deep"])
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return Parsed([], ["no `entry` list"])
    if payload.get("object") not in (None, OBJECT_TTO_VIDEO_LINKING, str(OBJECT_TTO_VIDEO_LINKING)):
        return Parsed([], [f"object {payload.get('object')!r} is not TTO video linking"])
    events, skipped = [], []
    for entry in payload["entry"]:
        event = _event(entry)
        if isinstance(event, str):
            skipped.append(event)
        else:
            events.append(event)
    return Parsed(events, skipped)


def _event(entry: Any) -> VideoEvent | str:
    if not isinstance(entry, dict):
        return "entry is not an object"
    if any(isinstance(value, str) and text_problem(value) for value in entry.values()):
        return "entry holds a NUL character or a lone surrogate"
    try:
        event = VideoEvent.model_validate(entry)
    except ValueError as exc:
        return f"entry does not fit: {type(exc).__name__}"
    if event.tto_campaign_event_type not in (UPLOADED, PUBLISHED):
        return f"event {event.tto_campaign_event_type or event.event_type!r} is not a video event"
    if not (event.video_id and event.campaign_id):
        return "entry without video_id or campaign_id"
    return event
