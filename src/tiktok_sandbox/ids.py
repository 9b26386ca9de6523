"""Identifiers shaped like TikTok's.

TikTok's campaign, video and account ids are 19-digit decimal numbers whose top 32 bits are the
creation time in Unix seconds (e.g. 7619254006434611213); clients must keep them as strings because
they exceed 2^53. The sandbox mints them the same way, from *sandbox* time, so an id stays a
faithful test of a client's string handling. Tokens and codes need only be unguessable and unique.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import UTC, datetime

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed by hand
CAMPAIGN_CODE_LENGTH = 8


def new_id(now_ms: int) -> str:
    """A 19-digit id: creation second in the high 32 bits, 32 random bits below."""
    seconds = max(now_ms // 1000, 1_000_000_000)  # 2001 onwards gives exactly 19 digits
    return str((seconds << 32) | secrets.randbits(32))


def stable_id(seed: str) -> str:
    """A 19-digit id that is always the same for the same seed (e.g. a creator's handle)."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return str(7_000_000_000_000_000_000 + digest % 2_000_000_000_000_000_000)


def seeded_random(seed: str) -> random.Random:
    """A generator that yields the same figures for the same seed (derived, not secret, data)."""
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))  # noqa: S311


def new_request_id(now_ms: int) -> str:
    """`20210817034316010245031056097316BA`-like: a UTC timestamp, then random upper-case hex."""
    stamp = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y%m%d%H%M%S")
    return stamp + secrets.token_hex(10).upper()


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_hex(20)


def new_invite_token() -> str:
    return secrets.token_urlsafe(12)


def new_campaign_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CAMPAIGN_CODE_LENGTH))
