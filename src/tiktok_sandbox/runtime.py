"""The sandbox's moving parts, wired once per app instance.

Endpoints, control calls and pages all need the same things: the current knobs, the store, the
clock, the rate limiter, counters, fault injection and the webhook queue. `Runtime` holds them and
owns the few operations that touch several at once (a transaction whose webhooks go out only after
it commits, advancing time, reset, changing faults). It also seeds the pre-authorised world: the
developer app's two brand accounts and their access tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request

from .clock import HOUR_MS, SandboxClock, to_ms
from .config import SandboxConfig, parse_instant
from .faults import FaultInjector
from .ratelimit import Limits, RateLimiter
from .stats import CallStats
from .store import Store
from .webhooks import Delivery, WebhookDispatcher, WebhookSender

CLOCK_OFFSET_KEY = "clock_offset_ms"
FAULT_KEYS = {
    "latency_ms": int,
    "error_rate": float,
    "timeout_rate": float,
    "timeout_sleep_s": float,
    "qps": int,
    "qpm": int,
    "throttle_cooldown_s": float,
    "duplicate_webhook_rate": float,
    "duplicate_webhook_every": int,
}


@dataclass
class UnitOfWork:
    """What one request did that must wait for its commit (webhooks)."""

    deliveries: list[Delivery] = field(default_factory=list)


class Runtime:
    def __init__(
        self,
        config: SandboxConfig,
        db_path: str | None = None,
        webhook_sender: WebhookSender | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.initial_config = config
        self.config = config
        self.store = Store(db_path)
        frozen = to_ms(parse_instant(config.clock_start)) if config.clock_start else None
        offset = int(self.store.get_meta(CLOCK_OFFSET_KEY) or 0)
        self.clock = SandboxClock(frozen, offset)
        self.limiter = RateLimiter(self._limits, monotonic)
        self.stats = CallStats()
        self.faults = FaultInjector(config.random_seed)
        self.webhooks = WebhookDispatcher(webhook_sender, lambda: self.config, config.random_seed)
        with self.store.transaction():
            self._seed_world()

    @property
    def app_key(self) -> str:
        """The rate-limit bucket: the sandbox hosts one developer app."""
        return self.config.app_id

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def base_url(self, request: Request) -> str:
        """Where links point: `public_base_url`, or the scheme and host the caller used."""
        return self.config.public_base_url.rstrip("/") or request.host_url.rstrip("/")

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        work = UnitOfWork()
        with self.store.transaction():
            yield work
        self.webhooks.enqueue(work.deliveries)

    def advance_clock(self, hours: float) -> tuple[int, int]:
        """Returns (before, after) in sandbox ms."""
        with self.store.transaction():
            before = self.now_ms()
            after = self.clock.advance(hours)
            self.store.set_meta(CLOCK_OFFSET_KEY, str(self.clock.offset_ms))
        return before, after

    def update_faults(self, changes: dict[str, Any]) -> SandboxConfig:
        """Apply a partial fault update; raises ValueError and changes nothing on bad input."""
        unknown = sorted(set(changes) - set(FAULT_KEYS))
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        values = {name: _coerce(name, value) for name, value in changes.items()}
        self.config = self.config.replace(**values)
        return self.config

    def faults_view(self) -> dict[str, Any]:
        return {name: getattr(self.config, name) for name in FAULT_KEYS}

    def reset(self) -> None:
        """Back to a freshly started sandbox: no data, time, faults or counters carried over."""
        self.webhooks.flush(timeout=2.0)
        self.store.wipe()
        self.config = self.initial_config
        self.clock.set_offset(0)
        self.limiter.reset()
        self.stats.clear()
        self.faults.reseed(self.config.random_seed)
        self.webhooks.reset()
        with self.store.transaction():
            self._seed_world()

    def close(self) -> None:
        self.webhooks.close()
        self.store.close()

    def _limits(self) -> Limits:
        return Limits(self.config.qps, self.config.qpm, self.config.throttle_cooldown_s)

    def _seed_world(self) -> None:
        config, now = self.config, self.now_ms()
        expires = (
            now + int(config.tto_token_ttl_hours * HOUR_MS) if config.tto_token_expires else None
        )
        seeds = [
            (
                config.demo_account_id,
                config.demo_account_name,
                "US",
                "America/New_York",
                config.demo_access_token,
                "7200000000000000001",
            ),
            (
                config.other_account_id,
                config.other_account_name,
                "GB",
                "Europe/London",
                config.other_access_token,
                "7200000000000000002",
            ),
        ]
        for account_id, name, country, timezone, token, advertiser_id in seeds:
            self.store.save_account(
                {
                    "account_id": account_id,
                    "account_name": name,
                    "country": country,
                    "timezone": timezone,
                    "business_verification_status": "PASSED",
                    "advertiser_id": advertiser_id,
                }
            )
            self.store.save_token(
                {
                    "access_token": token,
                    "app_id": config.app_id,
                    "account_ids": [account_id],
                    "create_ms": now,
                    "expires_ms": expires,
                    "revoked_ms": None,
                }
            )


def _coerce(name: str, value: Any) -> Any:
    kind = FAULT_KEYS[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    if kind is int and value != int(value):
        raise ValueError(f"{name}: expected an integer, got {value!r}")
    try:
        SandboxConfig(**{name: kind(value)})  # reuse the knob's own range check
    except ValueError as exc:
        raise ValueError(str(exc).replace("SandboxConfig.", "")) from exc
    return kind(value)
