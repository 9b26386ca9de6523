"""TikTok's global rate limit, as the sandbox enforces it.

The contract (§2.2): limits are per developer app across all endpoints (Basic tier 10 QPS /
600 QPM); exceeding one answers code 40100 with HTTP 200 and no Retry-After; after a per-minute
breach the app must wait about five minutes. The sandbox models this with two sliding windows (the
last second and the last minute) of *admitted* calls, and a cool-down started by a per-minute
breach during which every call is refused. A per-second breach refuses only that call. Refused
calls do not use quota.

Sliding windows are stricter than fixed ones, so a client that passes here passes any windowing.
The clock is injectable so tests can drive a minute of traffic in microseconds.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    qps: int
    qpm: int
    cooldown_s: float


@dataclass
class _Bucket:
    admitted: deque[float] = field(default_factory=deque)
    cooldown_until: float = 0.0


class RateLimiter:
    def __init__(
        self,
        limits: Callable[[], Limits],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = limits
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> bool:
        """True if the call may proceed (and it is counted); False means answer 40100."""
        limits = self._limits()
        with self._lock:
            now = self._monotonic()
            bucket = self._buckets.setdefault(key, _Bucket())
            if now < bucket.cooldown_until:
                return False
            _forget_older_than(bucket.admitted, now - 60.0)
            if _count_since(bucket.admitted, now - 1.0) >= limits.qps:
                return False
            if len(bucket.admitted) >= limits.qpm:
                bucket.cooldown_until = now + limits.cooldown_s
                return False
            bucket.admitted.append(now)
            return True

    def start_cooldown(self, key: str, seconds: float | None = None) -> None:
        """Refuse every call for `seconds` (default: the configured cool-down) from now."""
        seconds = self._limits().cooldown_s if seconds is None else seconds
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket())
            bucket.cooldown_until = self._monotonic() + seconds

    def cooldown_remaining(self, key: str) -> float:
        with self._lock:
            bucket = self._buckets.get(key)
            until = bucket.cooldown_until if bucket else 0.0
            return max(0.0, until - self._monotonic())

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def _forget_older_than(times: deque[float], horizon: float) -> None:
    while times and times[0] <= horizon:
        times.popleft()


def _count_since(times: deque[float], horizon: float) -> int:
    count = 0
    for moment in reversed(times):
        if moment <= horizon:
            break
        count += 1
    return count
