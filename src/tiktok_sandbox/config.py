"""The sandbox's knobs, in one dataclass.

Where TikTok's contract leaves a fact unknown (how many posts a link carries, how long a video
takes to surface, how strictly `Country-Code` is enforced...), the sandbox makes it a knob with a
sensible default, so tests and demos can choose. Every knob can also be set from the environment as
`SANDBOX_<NAME>` (e.g. `SANDBOX_SURFACE_DELAY_HOURS=0.1`); the README lists them all.

Values are checked strictly: a bad value fails at start-up with the knob's name, never later.

Profiles: the `default` profile keeps the sandbox's original, lenient readings of "unknown" facts;
`strict` follows the public evidence gathered later (contract §13). A profile only chooses the
defaults of the knobs in `PROFILES`; a knob given explicitly always wins, in any order:
`SandboxConfig(profile="strict", ascii_names=False)`, `SandboxConfig.strict(ascii_names=False)` and
`SANDBOX_PROFILE=strict SANDBOX_ASCII_NAMES=0` are the same config.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ENV_PREFIX = "SANDBOX_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# The knobs a profile decides, with their value in each profile (README "Profiles" gives sources).
PROFILES: dict[str, dict[str, Any]] = {
    "default": {
        "max_video_list_limit": 20,
        "max_report_page_size": 20,
        "max_link_status_page_size": 20,
        "max_ids_per_filter": 20,
        "require_campaign_name_on_add": False,
        "invite_link_delay_s": 0.0,
        "ascii_names": False,
        "max_name_length": 0,
    },
    "strict": {
        "max_video_list_limit": 10,
        "max_report_page_size": 10,
        "max_link_status_page_size": 10,
        "max_ids_per_filter": 10,
        "require_campaign_name_on_add": True,
        "invite_link_delay_s": 3.0,
        "ascii_names": True,
        "max_name_length": 100,
    },
}


class _ByProfile:
    """Default of a profile-dependent knob: replaced by the profile's value on construction."""

    def __repr__(self) -> str:
        return "<by profile>"


BY_PROFILE: Any = _ByProfile()
LIST_ORDERS = ("oldest_first", "newest_first", "scrambled")


@dataclass(frozen=True)
class SandboxConfig:
    # The developer app and the two pre-seeded brand accounts (fixed, so a demo is reproducible).
    app_id: str = "7000000000000000001"
    app_secret: str = "sandbox-app-secret-not-for-production-use"
    demo_account_id: str = "7100000000000000001"
    demo_account_name: str = "Sandbox Demo Brand"
    demo_access_token: str = "sandbox-demo-access-token-00000000000001"
    other_account_id: str = "7100000000000000002"
    other_account_name: str = "Sandbox Other Brand"
    other_access_token: str = "sandbox-other-access-token-0000000000002"
    # Base of minted invite links and media URLs; empty = the host the caller used.
    public_base_url: str = ""
    # Creators and invite links.
    posts_per_link: int = 10
    invalid_handle_prefix: str = "invalid_"
    not_in_handle_prefix: str = "notin_"
    fail_not_in_handles: bool = False
    branded_hashtags: str = "ad,sponsored,partner"
    # Time.
    clock_start: str = ""
    surface_delay_hours: float = 48.0
    takedown_grace_hours: float = 72.0
    tracking_window_days: float = 21.0
    # Endpoint behaviour.
    require_country_code: bool = True
    list_includes_handle_names: bool = False
    # The order of GET /tto/tcm/campaign/ is undocumented (§5.4): oldest_first, newest_first,
    # or scrambled (a fixed order unrelated to creation time).
    campaign_list_order: str = "oldest_first"
    tto_token_expires: bool = False
    tto_token_ttl_hours: float = 24.0
    auth_code_ttl_minutes: float = 60.0
    # Profile, and the knobs whose defaults it picks (see PROFILES).
    profile: str = "default"
    max_video_list_limit: int = BY_PROFILE
    max_report_page_size: int = BY_PROFILE
    max_link_status_page_size: int = BY_PROFILE
    max_ids_per_filter: int = BY_PROFILE
    require_campaign_name_on_add: bool = BY_PROFILE
    invite_link_delay_s: float = BY_PROFILE
    ascii_names: bool = BY_PROFILE
    max_name_length: int = BY_PROFILE
    # Campaign codes (legacy TCM orders); the same in both profiles, as the evidence is open.
    code_objects_in_tto_list: bool = False
    legacy_orders_accept_tto_account: bool = True
    legacy_orders_offline: bool = False
    # Rate limits (per developer app, all endpoints together).
    qps: int = 10
    qpm: int = 600
    throttle_cooldown_s: float = 300.0
    # Faults.
    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_sleep_s: float = 30.0
    random_seed: int = 0
    # Webhooks.
    duplicate_webhook_rate: float = 0.0
    duplicate_webhook_every: int = 0
    webhook_max_attempts: int = 3
    webhook_retry_backoff_s: float = 1.0
    webhook_timeout_s: float = 5.0

    def __post_init__(self) -> None:
        _check("profile", self.profile in PROFILES, f"must be one of {', '.join(PROFILES)}")
        for name, value in PROFILES[self.profile].items():
            if getattr(self, name) is BY_PROFILE:
                object.__setattr__(self, name, value)  # frozen: set once, while constructing
        for name in ("error_rate", "timeout_rate", "duplicate_webhook_rate"):
            _check(name, 0.0 <= getattr(self, name) <= 1.0, "must be between 0 and 1")
        for name in _AT_LEAST_ONE:
            _check(name, getattr(self, name) >= 1, "must be at least 1")
        for name in _NON_NEGATIVE:
            _check(name, getattr(self, name) >= 0, "must not be negative")
        if self.clock_start:
            parse_instant(self.clock_start)
        orders = ", ".join(LIST_ORDERS)
        _check("campaign_list_order", self.campaign_list_order in LIST_ORDERS, f"one of {orders}")

    @classmethod
    def strict(cls, **overrides: Any) -> SandboxConfig:
        """The strict profile; `overrides` win over its values."""
        return cls(**{"profile": "strict", **overrides})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SandboxConfig:
        """Defaults, then `SANDBOX_*` variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = _parse(field.name, field.type, raw)
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> SandboxConfig:
        """A copy with `changes`; a new `profile` re-derives the knobs it decides (unless given)."""
        profile = changes.get("profile", self.profile)
        if profile != self.profile and profile in PROFILES:
            changes = {**dict.fromkeys(PROFILES[profile], BY_PROFILE), **changes}
        return dataclasses.replace(self, **changes)

    @property
    def branded_hashtag_set(self) -> frozenset[str]:
        return frozenset(t.strip().lstrip("#").lower() for t in self.branded_hashtags.split(","))


_AT_LEAST_ONE = (
    "qps",
    "qpm",
    "posts_per_link",
    "webhook_max_attempts",
    "max_video_list_limit",
    "max_report_page_size",
    "max_link_status_page_size",
    "max_ids_per_filter",
)
_NON_NEGATIVE = (
    "surface_delay_hours",
    "takedown_grace_hours",
    "tracking_window_days",
    "tto_token_ttl_hours",
    "auth_code_ttl_minutes",
    "throttle_cooldown_s",
    "latency_ms",
    "timeout_sleep_s",
    "duplicate_webhook_every",
    "webhook_retry_backoff_s",
    "webhook_timeout_s",
    "invite_link_delay_s",
    "max_name_length",
)


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; a missing zone means UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"clock_start: not an ISO-8601 instant: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check(name: str, ok: bool, reason: str) -> None:
    if not ok:
        raise ValueError(f"SandboxConfig.{name}: {reason}")


def _parse(name: str, kind: Any, raw: str) -> Any:
    kind = kind if isinstance(kind, str) else kind.__name__
    try:
        if kind == "bool":
            return _parse_bool(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}: expected {kind}, got {raw!r}") from exc
    return raw


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(raw)
