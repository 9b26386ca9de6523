"""Call counters for `GET /sandbox/stats`.

Benchmarks and tests need to see what the client really did to TikTok: how many calls per endpoint,
how many were throttled (40100) or failed. Counters live in memory (they describe this process's
traffic, not the emulated world) and are cleared by `/sandbox/reset`.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from typing import Any


class CallStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_endpoint: defaultdict[str, Counter[int]] = defaultdict(Counter)

    def record(self, endpoint: str, code: int) -> None:
        with self._lock:
            self._by_endpoint[endpoint][code] += 1

    def clear(self) -> None:
        with self._lock:
            self._by_endpoint.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            by_code: Counter[int] = Counter()
            endpoints = {}
            for endpoint, codes in sorted(self._by_endpoint.items()):
                by_code.update(codes)
                endpoints[endpoint] = {"total": sum(codes.values()), "by_code": _keyed(codes)}
        return {
            "total_calls": sum(by_code.values()),
            "throttled": by_code[40100],
            "by_code": _keyed(by_code),
            "by_endpoint": endpoints,
        }


def _keyed(codes: Counter[int]) -> dict[str, int]:
    return {str(code): count for code, count in sorted(codes.items())}
