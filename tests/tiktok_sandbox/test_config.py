"""Knobs: defaults, `SANDBOX_*` environment variables, strict validation."""

from __future__ import annotations

import pytest

from tiktok_sandbox.app import create_app
from tiktok_sandbox.config import SandboxConfig


def test_defaults_match_the_documented_values():
    config = SandboxConfig()
    assert (
        config.posts_per_link,
        config.surface_delay_hours,
        config.takedown_grace_hours,
        config.tracking_window_days,
    ) == (10, 48, 72, 21)
    assert (config.qps, config.qpm, config.throttle_cooldown_s) == (10, 600, 300)
    assert config.require_country_code and not config.tto_token_expires
    assert config.invalid_handle_prefix == "invalid_"


def test_environment_overrides_defaults_with_typed_values():
    config = SandboxConfig.from_env(
        {
            "SANDBOX_QPS": "5",
            "SANDBOX_REQUIRE_COUNTRY_CODE": "off",
            "SANDBOX_ERROR_RATE": "0.2",
            "SANDBOX_PUBLIC_BASE_URL": "http://demo:8001",
            "UNRELATED": "x",
        }
    )
    assert (config.qps, config.require_country_code, config.error_rate) == (5, False, 0.2)
    assert config.public_base_url == "http://demo:8001"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"SANDBOX_QPS": "ten"}, "SANDBOX_QPS: expected int"),
        ({"SANDBOX_TTO_TOKEN_EXPIRES": "maybe"}, "SANDBOX_TTO_TOKEN_EXPIRES: expected bool"),
        ({"SANDBOX_ERROR_RATE": "2"}, "error_rate: must be between 0 and 1"),
        ({"SANDBOX_CLOCK_START": "yesterday"}, "clock_start"),
    ],
)
def test_bad_values_fail_loudly_with_the_knob_name(environ, message):
    with pytest.raises(ValueError, match=message):
        SandboxConfig.from_env(environ)


def test_create_app_reads_the_environment_when_no_config_is_given(monkeypatch):
    monkeypatch.setenv("SANDBOX_POSTS_PER_LINK", "3")
    app = create_app()
    try:
        assert app.config.posts_per_link == 3
    finally:
        app.close()


def test_a_database_file_keeps_state_and_time_across_restarts(tmp_path):
    path = str(tmp_path / "sandbox.sqlite3")
    config = SandboxConfig(clock_start="2026-05-01T00:00:00Z")
    first = create_app(path, config)
    first.runtime.advance_clock(5)
    with first.runtime.transaction():
        first.runtime.store.set_meta("marker", "kept")
    first.close()
    second = create_app(path, config)
    try:
        assert second.runtime.store.get_meta("marker") == "kept"
        assert second.runtime.now_ms() == 1_777_593_600_000 + 5 * 3_600_000
    finally:
        second.close()
