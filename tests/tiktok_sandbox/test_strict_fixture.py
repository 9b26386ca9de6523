"""inviteflow's tests ask for a strict sandbox through `live_sandbox` (tests/sandbox_fixtures.py);
the only test here that uses that Django-side fixture, to keep the way to ask for it working."""

from __future__ import annotations

import pytest

from tests.sandbox_fixtures import STRICT
from tiktok_sandbox.config import SandboxConfig


def test_live_sandbox_keeps_the_default_profile(live_sandbox):
    assert live_sandbox.app.config == SandboxConfig(qps=1000, qpm=60000)


@pytest.mark.parametrize("live_sandbox", [STRICT], indirect=True)
def test_live_sandbox_can_be_asked_for_the_strict_profile(live_sandbox):
    assert live_sandbox.app.config == SandboxConfig.strict(qps=1000, qpm=60000)


@pytest.mark.parametrize("live_sandbox", [{**STRICT, "invite_link_delay_s": 0.5}], indirect=True)
def test_strict_knobs_can_be_adjusted_per_test(live_sandbox):
    config = live_sandbox.app.config
    assert (config.profile, config.invite_link_delay_s, config.ascii_names) == ("strict", 0.5, True)
