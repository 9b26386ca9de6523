"""Sandbox time.

Surfacing (~48 h), takedowns (72 h grace), metric growth and the 21-day tracking window all depend
on time, and nobody wants to wait days in a demo or a test. So the sandbox keeps its own clock:
either the wall clock plus an offset (the default: time passes by itself and `/sandbox/clock` jumps
ahead), or a frozen instant (`clock_start`) that moves only when advanced, which makes tests exact.
All sandbox times are integer Unix milliseconds, UTC.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


class SandboxClock:
    def __init__(
        self,
        frozen_start_ms: int | None = None,
        offset_ms: int = 0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._frozen_start_ms = frozen_start_ms
        self._offset_ms = offset_ms
        self._wall = wall
        self._lock = threading.Lock()

    @property
    def offset_ms(self) -> int:
        return self._offset_ms

    def now_ms(self) -> int:
        base = self._frozen_start_ms
        if base is None:
            base = int(self._wall() * 1000)
        return base + self._offset_ms

    def advance(self, hours: float) -> int:
        """Move time forward; returns the new now."""
        with self._lock:
            self._offset_ms += round(hours * HOUR_MS)
        return self.now_ms()

    def set_offset(self, offset_ms: int) -> None:
        with self._lock:
            self._offset_ms = offset_ms


def to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def format_time(ms: int) -> str:
    """TikTok's `create_time` format: `YYYY-MM-DD HH:MM:SS`, UTC."""
    return to_datetime(ms).strftime("%Y-%m-%d %H:%M:%S")


def format_iso(ms: int) -> str:
    """ISO-8601 with microseconds and `Z`, as in webhook `event_time`."""
    return to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
