"""Rate limits (QPS, QPM, cool-down), stats, injected latency/errors/timeouts, reset."""

from __future__ import annotations

import time

from tests.tiktok_sandbox.support import Sandbox


def info(sandbox: Sandbox) -> int:
    return sandbox.get("/tto/oauth2/info/", tto_tcm_account_id=sandbox.account_id)["code"]


def test_qps_refuses_the_call_over_the_limit_only(make_sandbox):
    sandbox = make_sandbox(qps=3, qpm=100)
    assert [info(sandbox) for _ in range(4)] == [0, 0, 0, 40100]
    sandbox.monotonic.advance(1.01)
    assert info(sandbox) == 0


def test_qpm_breach_starts_a_cooldown_for_every_endpoint(make_sandbox):
    sandbox = make_sandbox(qps=100, qpm=5, throttle_cooldown_s=300)
    assert [info(sandbox) for _ in range(6)] == [0] * 5 + [40100]
    sandbox.monotonic.advance(61)  # the minute window is clear, the cool-down is not
    assert info(sandbox) == 40100
    assert sandbox.get("/tto/tcm/campaign/", tto_tcm_account_id=sandbox.account_id)["code"] == 40100
    assert sandbox.get("/nowhere/")["code"] == 40100
    sandbox.monotonic.advance(240)
    assert info(sandbox) == 0


def test_throttled_calls_are_counted_and_control_calls_are_not_limited(make_sandbox):
    sandbox = make_sandbox(qps=1, qpm=100)
    codes = [info(sandbox) for _ in range(3)]
    assert codes == [0, 40100, 40100]
    for _ in range(20):
        assert sandbox.http.get("/sandbox/stats").status_code == 200
    stats = sandbox.http.get("/sandbox/stats").json()
    assert stats["throttled"] == 2 and stats["total_calls"] == 3
    assert stats["by_endpoint"]["/tto/oauth2/info/"] == {
        "total": 3,
        "by_code": {"0": 1, "40100": 2},
    }
    cleared = sandbox.http.delete("/sandbox/stats").json()
    assert cleared["total_calls"] == 0


def test_unknown_paths_are_counted_apart(sandbox: Sandbox):
    sandbox.get("/made/up/")
    assert sandbox.http.get("/sandbox/stats").json()["by_endpoint"]["unknown"] == {
        "total": 1,
        "by_code": {"40400": 1},
    }


def test_throttle_control_starts_a_cooldown_now(sandbox: Sandbox):
    answer = sandbox.http.post("/sandbox/throttle", json={"cooldown_s": 30}).json()
    assert answer == {"cooldown_remaining_s": 30.0}
    assert info(sandbox) == 40100
    sandbox.monotonic.advance(30)
    assert info(sandbox) == 0


def test_qps_and_qpm_can_be_changed_at_run_time(sandbox: Sandbox):
    sandbox.http.put("/sandbox/faults", json={"qps": 1})
    assert [info(sandbox) for _ in range(2)] == [0, 40100]


def test_fault_updates_are_partial_and_validated(sandbox: Sandbox):
    before = sandbox.http.get("/sandbox/faults").json()
    updated = sandbox.http.put("/sandbox/faults", json={"latency_ms": 5, "error_rate": 0.25})
    assert updated.status_code == 200
    assert updated.json() == {**before, "latency_ms": 5, "error_rate": 0.25}
    for bad in (
        {"error_rate": 2},
        {"qps": 0},
        {"qps": 1.5},
        {"latency_ms": "5"},
        {"nope": 1},
        {"latency_ms": 1, "timeout_rate": -1},
    ):
        answer = sandbox.http.put("/sandbox/faults", json=bad)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_request"
    assert sandbox.http.get("/sandbox/faults").json() == updated.json()


def test_injected_errors_do_no_work(make_sandbox):
    sandbox = make_sandbox(error_rate=1.0)
    codes = {
        sandbox.post(
            "/tto/tcm/campaign/create/",
            tto_tcm_account_id=sandbox.account_id,
            campaign_name="x",
            handle_names=["alice"],
        )["code"]
        for _ in range(20)
    }
    assert codes == {50000, 50002}
    assert sandbox.http.get("/sandbox/stats").json()["campaign_objects_created"] == 0


def test_injected_timeouts_do_the_work_then_answer_late(make_sandbox):
    sandbox = make_sandbox(timeout_rate=1.0, timeout_sleep_s=0.05)
    started = time.monotonic()
    answer = sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_name="x",
        handle_names=["alice"],
    )
    assert answer["code"] == 50002 and time.monotonic() - started >= 0.05
    assert sandbox.http.get("/sandbox/stats").json()["campaign_objects_created"] == 1


def test_fault_rolls_are_reproducible_with_a_seed(make_sandbox):
    runs = []
    for _ in range(2):
        sandbox = make_sandbox(error_rate=0.5, random_seed=7)
        runs.append([info(sandbox) for _ in range(30)])
    assert runs[0] == runs[1] and {0, 50000, 50002} <= set(runs[0])


def test_latency_delays_every_api_answer(make_sandbox):
    sandbox = make_sandbox(latency_ms=80)
    started = time.monotonic()
    info(sandbox)
    assert time.monotonic() - started >= 0.08


def test_reset_restores_a_fresh_sandbox(sandbox: Sandbox):
    sandbox.create_campaign(["alice"])
    sandbox.http.put("/sandbox/faults", json={"error_rate": 1.0})
    sandbox.advance(100)
    answer = sandbox.http.post("/sandbox/reset").json()
    assert answer["now"] == "2026-05-01T00:00:00.000000Z"
    assert sandbox.http.get("/sandbox/faults").json()["error_rate"] == 0.0
    stats = sandbox.http.get("/sandbox/stats").json()
    assert stats["campaign_objects_created"] == 0 and stats["total_calls"] == 0
    assert info(sandbox) == 0
