"""Sandbox fixtures: `make_sandbox(**knobs)` and `sandbox` (defaults for tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.tiktok_sandbox.support import (
    TEST_DEFAULTS,
    FakeMonotonic,
    Sandbox,
    WebhookRecorder,
)
from tiktok_sandbox.app import create_app
from tiktok_sandbox.config import SandboxConfig


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    made: list[Sandbox] = []

    def make(**overrides: Any) -> Sandbox:
        monotonic, webhooks = FakeMonotonic(), WebhookRecorder()
        config = SandboxConfig(**{**TEST_DEFAULTS, **overrides})
        app = create_app(config=config, webhook_sender=webhooks, monotonic=monotonic)
        made.append(Sandbox(app, monotonic, webhooks))
        return made[-1]

    yield make
    for sandbox in made:
        sandbox.http.close()
        sandbox.app.close()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()
