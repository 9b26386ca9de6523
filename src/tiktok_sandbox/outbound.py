"""The sandbox's only outbound HTTP: webhook delivery.

One chokepoint keeps timeouts explicit and makes the network easy to replace in tests (the app takes
a `webhook_sender` callable; this is the default one). A ruff banned-import rule keeps httpx here.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx


def post_webhook(url: str, body: bytes, headers: Mapping[str, str], timeout_s: float = 5.0) -> int:
    """POST the exact body bytes; returns the HTTP status. Never follows redirects."""
    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0))
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return client.post(url, content=body, headers=dict(headers)).status_code
