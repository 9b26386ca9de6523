"""TikTok's TCM_VIDEOS webhooks (contract §9): signature and payload, no database.

`X-Open-Signature` is lower-case hex HMAC-SHA256 of the payload, keyed with the app secret.
TikTok signs a unicode-escaped form of the JSON, so a body carrying raw non-ASCII characters
is also checked in that form. An installation without an app secret accepts nothing: an
empty key would let anyone sign.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from inviteflow.tiktok.schemas import Model, Timestamp

OBJECT_TTO_VIDEO_LINKING = 10
UPLOADED, PUBLISHED = "tto_video_uploaded", "tto_video_published"


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


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


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
    try:
        event = VideoEvent.model_validate(entry)
    except ValueError as exc:
        return f"entry does not fit: {type(exc).__name__}"
    if event.tto_campaign_event_type not in (UPLOADED, PUBLISHED):
        return f"event {event.tto_campaign_event_type or event.event_type!r} is not a video event"
    if not (event.video_id and event.campaign_id):
        return "entry without video_id or campaign_id"
    return event
