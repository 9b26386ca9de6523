"""Throttle answers, installation-wide on both backends: the first pauses every process briefly
and slows the pace to 80 % for a while, a second within a minute starts the full cool-down, and
one after more than a minute is a first one again. Two limiters over the same storage stand for
two processes; the clock is simulated."""

import uuid

import pytest

from inviteflow.tiktok.ratelimit import (
    REPEAT_WINDOW_S,
    Budget,
    RateLimiter,
    Throttle,
    after_throttle,
    stop_after_throttle,
)
from tests.tiktok.test_ratelimit import (  # noqa: F401 (make_backend is a fixture)
    START,
    Caller,
    FakeTime,
    make_backend,
    most_in_any_window,
    simulate,
)

BUDGET = Budget(qps=10, qpm=600, cooldown_s=300.0, pause_s=5.0, slowdown_s=300.0)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def processes(make_backend, fake):  # noqa: F811
    """Two processes' limiters sharing one backend store."""
    return [RateLimiter(make_backend(BUDGET), clock=fake.clock, sleep=fake.sleep) for _ in range(2)]


# The decision ---------------------------------------------------------------------------------


def test_first_throttle_pauses_a_second_within_a_minute_cools_down():
    never = Throttle(cooldown_until=0.0, slow_until=0.0)
    assert stop_after_throttle(BUDGET, never, START) == 5.0
    stop, first = after_throttle(BUDGET, never, START)
    assert (stop, first) == (5.0, Throttle(START + 5.0, START + 300.0))
    assert stop_after_throttle(BUDGET, first, START + 4.9) is None  # sent before the pause
    assert stop_after_throttle(BUDGET, first, START + 5.0) == 300.0
    assert stop_after_throttle(BUDGET, first, START + REPEAT_WINDOW_S) == 300.0
    assert stop_after_throttle(BUDGET, first, START + REPEAT_WINDOW_S + 0.1) == 5.0


def test_a_throttle_never_shortens_a_longer_stop():
    cooling = Throttle(cooldown_until=START + 200.0, slow_until=0.0)
    stop, after = after_throttle(BUDGET, cooling, START)
    assert stop == 5.0
    assert after.cooldown_until == START + 200.0


# Shared by every process ----------------------------------------------------------------------


def test_first_throttle_pauses_every_process_briefly(processes, fake):
    first, second = processes
    first.throttled()
    assert second.cooldown_remaining() == pytest.approx(5.0)
    assert second.backend.attempt(uuid.uuid4().hex, "globex", fake.now) == pytest.approx(5.0)
    second.acquire("globex", timeout=10.0)  # waits the pause out
    assert fake.now == pytest.approx(START + 5.0)


def test_after_the_pause_every_process_runs_at_80_percent(processes, fake):
    first, second = processes
    first.throttled()
    begin = START + 5.0
    callers = [Caller("acme", start=begin), Caller("acme", start=begin), Caller("globex")]
    calls = simulate(second.backend, callers, until=begin + 10.0)
    granted = [call.granted for call in calls]
    assert min(granted) >= begin
    assert most_in_any_window(granted, 1.0) <= 8
    assert 7.0 <= len(granted) / 10.0 <= 8.0


def test_the_pace_comes_back_after_the_slowdown(processes, fake):
    first, second = processes
    first.throttled()
    begin = START + BUDGET.slowdown_s
    callers = [Caller("acme", start=begin), Caller("acme", start=begin)]
    calls = simulate(second.backend, callers, until=begin + 5.0)
    assert len(calls) / 5.0 >= 9.0


def test_a_second_throttle_within_a_minute_starts_the_full_cooldown(processes, fake):
    first, second = processes
    first.throttled()
    fake.now += 30.0
    second.throttled()
    assert first.cooldown_remaining() == pytest.approx(300.0)
    assert second.cooldown_remaining() == pytest.approx(300.0)


def test_answers_arriving_during_the_pause_change_nothing(processes, fake):
    first, second = processes
    first.throttled()
    fake.now += 0.2  # calls in flight when the first answer came get theirs
    second.throttled()
    first.throttled()
    assert second.cooldown_remaining() == pytest.approx(4.8)


def test_a_throttle_after_more_than_a_minute_is_a_first_one_again(processes, fake):
    first, second = processes
    first.throttled()
    fake.now += REPEAT_WINDOW_S + 1.0
    second.throttled()
    assert first.cooldown_remaining() == pytest.approx(5.0)
    fake.now += 10.0
    first.throttled()  # but this one is a repeat of that one
    assert second.cooldown_remaining() == pytest.approx(300.0)


def test_start_cooldown_without_seconds_is_a_throttle_answer(processes, fake):
    first, second = processes
    first.start_cooldown()
    assert second.cooldown_remaining() == pytest.approx(5.0)
    fake.now += 10.0
    first.start_cooldown()
    assert second.cooldown_remaining() == pytest.approx(300.0)


def test_start_cooldown_with_seconds_stops_exactly_that_long_at_full_pace(processes, fake):
    first, second = processes
    first.start_cooldown(2.0)
    assert second.cooldown_remaining() == pytest.approx(2.0)
    begin = START + 2.0
    calls = simulate(second.backend, [Caller("acme", start=begin), Caller("acme")], begin + 5.0)
    assert len(calls) / 5.0 >= 9.0
