"""Injected faults: the failures a real TikTok produces that a client must survive.

Per call, with the configured probabilities and a seeded generator (so a test run repeats):
- an *error*: the call does no work and answers 50000 (SYS_ERROR) or 50002 (SYS_TIMEOUT), HTTP 200;
- a *timeout*: the call DOES its work, then sleeps `timeout_sleep_s` (default 30 s, past a usual
  client read timeout) and answers 50002. The connection is not closed. A client with a shorter
  timeout sees a read timeout after TikTok already acted: the case exactly-once logic must handle.
Latency (`latency_ms`) is applied separately, before every answer.
"""

from __future__ import annotations

import random
import threading
from enum import Enum

from .config import SandboxConfig


class Fault(Enum):
    SYS_ERROR = 50000
    SYS_TIMEOUT = 50002
    TIMEOUT_AFTER_WORK = -1


class FaultInjector:
    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - reproducible, not secret
        self._lock = threading.Lock()

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._rng.seed(seed)

    def roll(self, config: SandboxConfig) -> Fault | None:
        if not (config.error_rate or config.timeout_rate):
            return None
        with self._lock:
            draw, flavour = self._rng.random(), self._rng.random()
        if draw < config.error_rate:
            return Fault.SYS_ERROR if flavour < 0.5 else Fault.SYS_TIMEOUT
        if draw < config.error_rate + config.timeout_rate:
            return Fault.TIMEOUT_AFTER_WORK
        return None
