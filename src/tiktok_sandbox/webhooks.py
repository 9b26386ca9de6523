"""TCM_VIDEOS webhooks: building, signing and delivering them off the request path.

When a video is linked to a campaign, TikTok POSTs `object` 10 events (`tto_video_uploaded`, then
`tto_video_published`) to every TCM_VIDEOS subscription of the account, at least once, signed with
`X-Open-Signature`. The sandbox does the same from a single background thread, so the request that
linked the video never waits for a slow receiver, and events reach each receiver in order.

Signature: lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the app secret. TikTok
signs a unicode-escaped form of the JSON; the sandbox sends the body already in that form (compact
JSON with `ensure_ascii=True`, every non-ASCII character as `\\uXXXX`), so hashing the raw bytes
received and hashing the escaped form give the same digest.

Duplicates (knobs `duplicate_webhook_rate`, seeded, and `duplicate_webhook_every`, exact) send the
identical body a second time, as an at-least-once redelivery does. Failed deliveries are retried a
bounded number of times with backoff, then recorded as failed; nothing is retried forever.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import random
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import outbound
from .clock import format_iso
from .config import SandboxConfig
from .ids import new_request_id

TCM_VIDEOS = "TCM_VIDEOS"
OBJECT_TTO_VIDEO_LINKING = 10
EVENT_TYPES = ("tto_video_uploaded", "tto_video_published")

WebhookSender = Callable[[str, bytes, dict[str, str]], "int | None"]


@dataclass(frozen=True)
class Delivery:
    url: str
    body: bytes
    headers: dict[str, str]
    subscription_id: str


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def video_linked_payloads(
    video: dict[str, Any], campaign: dict[str, Any], now_ms: int
) -> list[dict[str, Any]]:
    """The two events of one linked video, in the order TikTok sends them."""
    return [_payload(_entity(kind, video, campaign, now_ms), now_ms) for kind in EVENT_TYPES]


def deliveries_for(
    subscriptions: Iterable[dict[str, Any]], payloads: list[dict[str, Any]], secret: str
) -> list[Delivery]:
    deliveries = []
    for payload in payloads:
        body = encode(payload)
        headers = {"Content-Type": "application/json", "X-Open-Signature": signature(secret, body)}
        deliveries += [
            Delivery(s["callback_url"], body, headers, s["subscription_id"]) for s in subscriptions
        ]
    return deliveries


def _payload(entity: dict[str, Any], now_ms: int) -> dict[str, Any]:
    return {
        "request_id": new_request_id(now_ms),
        "object": OBJECT_TTO_VIDEO_LINKING,
        "time": now_ms // 1000,
        "entry": [entity],
    }


def _entity(
    kind: str, video: dict[str, Any], campaign: dict[str, Any], now_ms: int
) -> dict[str, Any]:
    return {
        "event_type": "tto_campaign_webhook",
        "tto_campaign_event_type": kind,
        "video_id": video["video_id"],
        "campaign_id": campaign["campaign_id"],
        "tto_tcm_account_id": campaign["account_id"],
        "handle_name": video["handle"],
        "event_time": format_iso(now_ms),
        "log_id": new_request_id(now_ms),
    }


class WebhookDispatcher:
    """A FIFO of deliveries worked by one daemon thread, started on first use."""

    def __init__(
        self, sender: WebhookSender | None, settings: Callable[[], SandboxConfig], seed: int = 0
    ) -> None:
        self._sender = sender
        self._settings = settings
        self._rng = random.Random(seed)  # noqa: S311 - duplicates only need to be reproducible
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._enqueued = 0
        self.counts: Counter[str] = Counter()
        self.recent: deque[dict[str, Any]] = deque(maxlen=200)

    def enqueue(self, deliveries: Iterable[Delivery]) -> None:
        for delivery in deliveries:
            copies = self._copies()
            with self._lock:
                self._pending += copies
            for _ in range(copies):
                self._queue.put(delivery)
        self._ensure_thread()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery has been attempted; False if time ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread:
            self._queue.put(None)
            self._thread.join(timeout)

    def reset(self) -> None:
        with self._lock:
            self._enqueued = 0
            self._rng.seed(self._settings().random_seed)
        self.counts.clear()
        self.recent.clear()

    def _copies(self) -> int:
        config = self._settings()
        with self._lock:
            self._enqueued += 1
            every = config.duplicate_webhook_every
            duplicate = bool(every and self._enqueued % every == 0)
            duplicate = self._rng.random() < config.duplicate_webhook_rate or duplicate
        if duplicate:
            self.counts["duplicated"] += 1
        return 2 if duplicate else 1

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._work, name="sandbox-webhooks", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while (delivery := self._queue.get()) is not None:
            try:
                self._deliver(delivery)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        config = self._settings()
        status: int | str = "not sent"
        for attempt in range(1, config.webhook_max_attempts + 1):
            status = self._attempt(delivery, config)
            if isinstance(status, int) and 200 <= status < 300:
                break
            if attempt < config.webhook_max_attempts and self._stop.wait(
                config.webhook_retry_backoff_s * 2 ** (attempt - 1)
            ):
                break
        ok = isinstance(status, int) and 200 <= status < 300
        self.counts["delivered" if ok else "failed"] += 1
        self.recent.append(
            {
                "url": delivery.url,
                "subscription_id": delivery.subscription_id,
                "status": status,
                "attempts": attempt,
                "body": delivery.body.decode("ascii"),
            }
        )

    def _attempt(self, delivery: Delivery, config: SandboxConfig) -> int | str:
        try:
            if self._sender is not None:
                status = self._sender(delivery.url, delivery.body, dict(delivery.headers))
                return 200 if status is None else status
            return outbound.post_webhook(
                delivery.url, delivery.body, delivery.headers, config.webhook_timeout_s
            )
        except Exception as exc:  # noqa: BLE001 - a broken receiver must not kill the thread
            self.counts["errors"] += 1
            return f"error: {type(exc).__name__}"
