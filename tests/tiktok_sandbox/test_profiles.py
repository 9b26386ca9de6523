"""Profiles: `strict` follows the public evidence (contract §13), `default` keeps the sandbox's
original readings. Each strict behaviour is checked next to the default one it replaces."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.tiktok_sandbox.support import Sandbox
from tiktok_sandbox.config import PROFILES, SandboxConfig

THREE_SECONDS_IN_HOURS = 3 / 3600


# -- configuration ----------------------------------------------------------------------------


def test_the_default_profile_keeps_the_original_values():
    config = SandboxConfig()
    assert config.profile == "default"
    assert (
        config.max_video_list_limit,
        config.max_report_page_size,
        config.max_link_status_page_size,
        config.max_ids_per_filter,
    ) == (20, 20, 20, 20)
    assert not config.require_campaign_name_on_add and not config.ascii_names
    assert (config.invite_link_delay_s, config.max_name_length) == (0, 0)


def test_the_strict_profile_sets_the_evidence_values():
    config = SandboxConfig.strict()
    assert config == SandboxConfig(profile="strict")
    assert (
        config.max_video_list_limit,
        config.max_report_page_size,
        config.max_link_status_page_size,
        config.max_ids_per_filter,
    ) == (10, 10, 10, 10)
    assert config.require_campaign_name_on_add and config.ascii_names
    assert (config.invite_link_delay_s, config.max_name_length) == (3, 100)


def test_campaign_code_knobs_are_the_same_in_both_profiles():
    for config in (SandboxConfig(), SandboxConfig.strict()):
        assert not config.code_objects_in_tto_list
        assert config.legacy_orders_accept_tto_account and not config.legacy_orders_offline


def test_an_explicit_knob_wins_over_the_profile():
    config = SandboxConfig.strict(ascii_names=False, max_ids_per_filter=20)
    assert (config.ascii_names, config.max_ids_per_filter) == (False, 20)
    assert config.max_report_page_size == 10  # the rest still strict
    assert SandboxConfig(profile="strict", ascii_names=False) == config.replace(
        max_ids_per_filter=10
    )


def test_replace_with_another_profile_rederives_its_knobs():
    strict = SandboxConfig(qps=3).replace(profile="strict")
    assert strict == SandboxConfig.strict(qps=3)
    assert strict.replace(profile="default", ascii_names=True).max_ids_per_filter == 20


def test_sandbox_profile_is_read_from_the_environment_with_other_knobs_over_it():
    config = SandboxConfig.from_env(
        {"SANDBOX_PROFILE": "strict", "SANDBOX_MAX_NAME_LENGTH": "50", "SANDBOX_QPS": "4"}
    )
    assert config.profile == "strict" and config.ascii_names
    assert (config.max_name_length, config.qps) == (50, 4)
    assert SandboxConfig.from_env({"SANDBOX_ASCII_NAMES": "on"}).profile == "default"
    assert SandboxConfig.from_env({}, profile="strict") == SandboxConfig.strict()


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"SANDBOX_PROFILE": "lenient"}, "profile: must be one of default, strict"),
        ({"SANDBOX_MAX_IDS_PER_FILTER": "0"}, "max_ids_per_filter: must be at least 1"),
        ({"SANDBOX_MAX_VIDEO_LIST_LIMIT": "ten"}, "SANDBOX_MAX_VIDEO_LIST_LIMIT: expected int"),
        ({"SANDBOX_INVITE_LINK_DELAY_S": "-1"}, "invite_link_delay_s: must not be negative"),
        ({"SANDBOX_ASCII_NAMES": "maybe"}, "SANDBOX_ASCII_NAMES: expected bool"),
        ({"SANDBOX_LEGACY_ORDERS_OFFLINE": "2"}, "SANDBOX_LEGACY_ORDERS_OFFLINE: expected bool"),
    ],
)
def test_new_knobs_are_validated_strictly(environ, message):
    with pytest.raises(ValueError, match=message):
        SandboxConfig.from_env(environ)


def test_every_profile_sets_the_same_knobs():
    assert PROFILES["default"].keys() == PROFILES["strict"].keys()


# -- list sizes -------------------------------------------------------------------------------


def video_list(sandbox: Sandbox, **params: Any) -> dict[str, Any]:
    return sandbox.get(
        "/tto/tcm/creator/public/video/list/",
        tto_tcm_account_id=sandbox.account_id,
        handle_name="alice",
        **params,
    )


def link_status(sandbox: Sandbox, **params: Any) -> dict[str, Any]:
    return sandbox.get(
        "/tto/tcm/campaign/link/status/", tto_tcm_account_id=sandbox.account_id, **params
    )


def list_campaigns(sandbox: Sandbox, **params: Any) -> dict[str, Any]:
    return sandbox.get("/tto/tcm/campaign/", tto_tcm_account_id=sandbox.account_id, **params)


def ids(count: int) -> list[str]:
    return [str(7_000_000_000_000_000_000 + i) for i in range(count)]


@pytest.mark.parametrize("profile, most", [("default", 20), ("strict", 10)])
def test_public_video_list_limit(make_sandbox, profile, most):
    sandbox = make_sandbox(profile=profile)
    assert video_list(sandbox, limit=most)["code"] == 0
    refused = video_list(sandbox, limit=most + 1)
    assert (refused["code"], refused["message"]) == (40002, f"limit: must be between 1 and {most}")


@pytest.mark.parametrize("profile, most", [("default", 20), ("strict", 10)])
def test_report_and_link_status_page_sizes(make_sandbox, profile, most):
    sandbox = make_sandbox(profile=profile)
    campaign_id = sandbox.create_campaign(["alice"])["campaign_id"]
    for read in (
        lambda **p: sandbox.report(campaign_id, **p),
        lambda **p: link_status(sandbox, **p),
    ):
        assert read(page_size=most)["code"] == 0
        refused = read(page_size=most + 1)
        assert (refused["code"], refused["message"]) == (
            40002,
            f"page_size: must be between 1 and {most}",
        )


def test_the_default_page_size_never_exceeds_the_maximum(make_sandbox):
    sandbox = make_sandbox(max_report_page_size=3)
    campaign_id = sandbox.create_campaign(["alice"])["campaign_id"]
    assert sandbox.report(campaign_id)["data"]["page_info"]["page_size"] == 3


@pytest.mark.parametrize("profile, most", [("default", 20), ("strict", 10)])
def test_id_filters_over_the_limit_are_40011_naming_the_parameter(make_sandbox, profile, most):
    sandbox = make_sandbox(profile=profile)
    reads = {
        "campaign_ids": [
            lambda found: list_campaigns(sandbox, campaign_ids=found),
            lambda found: link_status(sandbox, campaign_ids=found),
        ],
        "video_ids": [lambda found: video_list(sandbox, video_ids=found)],
    }
    for name, calls in reads.items():
        for read in calls:
            assert read(ids(most))["code"] == 0
            refused = read(ids(most + 1))
            assert (refused["code"], refused["message"]) == (
                40011,
                f"{name}: must contain at most {most} ids",
            )


# -- campaign objects -------------------------------------------------------------------------


def add_creators(sandbox: Sandbox, campaign_id: str, **body: Any) -> dict[str, Any]:
    return sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign_id,
        handle_names=["bob"],
        **body,
    )


def test_strict_adding_creators_requires_campaign_name(make_sandbox):
    lenient, strict = make_sandbox(), make_sandbox(profile="strict")
    assert add_creators(lenient, lenient.create_campaign(["alice"])["campaign_id"])["code"] == 0
    campaign_id = strict.create_campaign(["alice"])["campaign_id"]
    refused = add_creators(strict, campaign_id)
    assert (refused["code"], refused["message"]) == (40002, "campaign_name: is required")
    added = add_creators(strict, campaign_id, campaign_name="Spring Launch")
    assert added["code"] == 0 and added["data"]["handle_names"] == ["alice", "bob"]


def read_campaign(sandbox: Sandbox, campaign_id: str) -> dict[str, Any]:
    return list_campaigns(sandbox, campaign_ids=[campaign_id])["data"]["campaigns"][0]


def test_default_profile_returns_the_invite_link_at_once(sandbox: Sandbox):
    created = sandbox.create_campaign(["alice"])
    assert created["invite_link"].startswith("http://sandbox/t/")
    assert read_campaign(sandbox, created["campaign_id"])["invite_link"] == created["invite_link"]


def test_strict_invite_link_appears_only_after_the_delay_in_sandbox_time(make_sandbox):
    sandbox = make_sandbox(profile="strict")
    created = sandbox.create_campaign(["alice"])
    assert "invite_link" not in created
    assert "invite_link" not in read_campaign(sandbox, created["campaign_id"])
    sandbox.advance(THREE_SECONDS_IN_HOURS)
    link = read_campaign(sandbox, created["campaign_id"])["invite_link"]
    assert link.startswith("http://sandbox/t/")
    added = add_creators(sandbox, created["campaign_id"], campaign_name="Spring Launch")
    assert added["data"]["invite_link"] == link  # a later write answer shows it too
    assert sandbox.publish("alice", invite_link=link).status_code == 201


def test_invite_link_delay_passes_on_the_wall_clock_too(make_sandbox):
    sandbox = make_sandbox(clock_start="", invite_link_delay_s=0.2)
    created = sandbox.create_campaign(["alice"])
    assert "invite_link" not in read_campaign(sandbox, created["campaign_id"])
    time.sleep(0.25)
    assert "invite_link" in read_campaign(sandbox, created["campaign_id"])


def test_strict_names_keep_ascii_only_and_at_most_100_characters(make_sandbox):
    sandbox = make_sandbox(profile="strict")
    created = sandbox.create_campaign(
        ["alice"], name="Café ☕ Launch · @alice", campaign_description="Für alle 🎉"
    )
    assert created["campaign_name"] == "Caf  Launch  @alice"
    assert created["campaign_description"] == "Fr alle"
    listed = read_campaign(sandbox, created["campaign_id"])
    assert (listed["campaign_name"], listed["campaign_description"]) == (
        "Caf  Launch  @alice",
        "Fr alle",
    )
    long = sandbox.create_campaign(["alice"], name="x" * 150)
    assert long["campaign_name"] == "x" * 100
    refused = sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_name="🎉🎉",
        handle_names=["alice"],
    )
    assert (refused["code"], refused["message"]) == (
        40002,
        "campaign_name: must contain ASCII characters",
    )


def test_default_names_are_kept_as_given(sandbox: Sandbox):
    name = "Café ☕ Launch · " + "x" * 300
    created = sandbox.create_campaign(["alice"], name=name, campaign_description="Für alle 🎉")
    assert (created["campaign_name"], created["campaign_description"]) == (name, "Für alle 🎉")
