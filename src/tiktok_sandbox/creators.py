"""Who the sandbox's TikTok users are.

The sandbox has no creator roster: any well-formed handle is a TikTok user, so a demo can invite
whoever it likes. Two configurable prefixes make the other answers reachable: handles starting with
`invalid_` are INVALID (not usable: they land in `failed_handle_names`), handles starting with
`notin_` are NOT_IN (real users not onboarded to the Creator Marketplace — invite links still work
for them, as TikTok says). Profile figures are derived from the handle, so they never change.
"""

from __future__ import annotations

import random
import re
from typing import Any

from .config import SandboxConfig
from .ids import seeded_random, stable_id

IN, NOT_IN, INVALID = "IN", "NOT_IN", "INVALID"
# TikTok usernames: letters, digits, "_" and "."; 2-24 characters; no trailing period.
_HANDLE = re.compile(r"^[a-z0-9_.]{1,23}[a-z0-9_]$")
LABELS = [
    ("1", "Beauty"),
    ("2", "Fashion"),
    ("3", "Food & Drink"),
    ("4", "Gaming"),
    ("5", "Travel"),
    ("6", "Fitness"),
    ("7", "Tech"),
    ("8", "Comedy"),
]


def normalize_handle(raw: str) -> str:
    """`@Jane.Doe ` → `jane.doe` (TikTok handles are case-insensitive)."""
    return raw.strip().lstrip("@").lower()


def onboarding_status(raw: str, config: SandboxConfig) -> str:
    handle = normalize_handle(raw)
    if not _HANDLE.match(handle) or handle.startswith(config.invalid_handle_prefix.lower()):
        return INVALID
    if config.not_in_handle_prefix and handle.startswith(config.not_in_handle_prefix.lower()):
        return NOT_IN
    return IN


def can_be_invited(raw: str, config: SandboxConfig) -> bool:
    status = onboarding_status(raw, config)
    return status == IN or (status == NOT_IN and not config.fail_not_in_handles)


def creator_id(handle: str) -> str:
    return stable_id("creator:" + handle)


def display_name(handle: str) -> str:
    return handle.replace("_", " ").replace(".", " ").title().strip() or handle


def public_profile(handle: str, sandbox_videos: int, base_url: str) -> dict[str, Any]:
    """`/tto/tcm/creator/public/` data: stable figures derived from the handle."""
    rng = seeded_random(handle)
    followers = rng.randint(2_000, 2_000_000)
    median_views = int(followers * rng.uniform(0.05, 0.6))
    return {
        "handle_name": handle,
        "display_name": display_name(handle),
        "profile_image": f"{base_url}/media/creator/{handle}.svg",
        "bio": f"{display_name(handle)} on TikTok (sandbox creator)",
        "followers_count": followers,
        "following_count": rng.randint(20, 2_000),
        "videos_count": rng.randint(10, 400) + sandbox_videos,
        "likes_count": followers * rng.randint(5, 40),
        "creator_id": creator_id(handle),
        "median_views": median_views,
        "engagement_rate": round(rng.uniform(0.02, 0.15), 4),
        "creator_price": float(rng.randint(2, 200) * 50),
        "currency": "USD",
        "industry_labels": _labels(rng),
        "content_labels": _labels(rng),
    }


def _labels(rng: random.Random) -> list[dict[str, str]]:
    return [{"label_id": i, "label_name": name} for i, name in rng.sample(LABELS, 2)]
