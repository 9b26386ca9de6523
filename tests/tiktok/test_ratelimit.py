"""The installation-wide limiter, on both backends: QPS and QPM never exceeded, however late
within its round trip TikTok counts a call, throughput just under the limit, one cool-down for
everybody, and fairness between workspaces. (Throttle answers: test_throttle_answers.py.)

Most tests drive `backend.attempt` on a simulated clock (each waiter tries again when it would
wake up), which is exactly what `RateLimiter.acquire` does, minus the real sleeping. Two backends
built over the same storage stand for two processes.
"""

import heapq
import itertools
import math
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import redis

from inviteflow.tiktok import ratelimit
from inviteflow.tiktok.errors import RateLimitTimeout
from inviteflow.tiktok.ratelimit import (
    FLOOR_SHARED_EVERY,
    IN_FLIGHT_TTL_S,
    MAX_SLEEP_S,
    ROUND_TRIPS_TRUSTED,
    TURN_POLL_S,
    Budget,
    DatabaseBackend,
    RateLimiter,
    RedisBackend,
    RoundTrips,
    Snapshot,
    blocked_for,
    next_in_line,
    slot_after,
)

START = 1_000_000.0
TEN_QPS = Budget(qps=10, qpm=600, cooldown_s=300)


def connect_redis() -> redis.Redis:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return client


@pytest.fixture(params=["database", "redis"])
def make_backend(request, db):
    """Builds backends over one shared store (the test database, or a fresh Redis key prefix).

    `db` is a static dependency on purpose: pytest-django only creates the test database for
    tests that name it up front (a dynamic getfixturevalue("db") would reach the real one).
    """
    if request.param == "database":
        yield DatabaseBackend
        return
    client = connect_redis()
    prefix = f"inviteflow-test:{uuid.uuid4().hex}"
    yield lambda budget, **options: RedisBackend(client, budget, prefix=prefix, **options)
    stale = list(client.scan_iter(f"{prefix}:*"))
    if stale:
        client.delete(*stale)


class FakeTime:
    def __init__(self, now: float = START) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Caller:
    """A worker of `workspace` making `calls` calls back to back (inf: busy all along); each
    call is answered `latency` seconds after its grant, plus up to `jitter` more on either way.

    By default a call is released with its answer's time, as the backend is told. With `trips`
    (its process's RoundTrips, shared by the callers of one process) it is released as
    `RateLimiter.release` does: counted until its answer less the process's floor.
    """

    workspace: str
    calls: float = math.inf
    start: float = START
    latency: float = 0.03
    jitter: float = 0.0
    trips: RoundTrips | None = None
    ticket: str = field(default_factory=lambda: uuid.uuid4().hex)
    asked_at: float = START
    in_flight: bool = False

    def round_trip(self, rng: random.Random) -> tuple[float, float]:
        """(way there, way back): TikTok counts the call the first after its grant."""
        half = self.latency / 2
        return half + rng.uniform(0, self.jitter), half + rng.uniform(0, self.jitter)


@dataclass
class Call:
    granted: float
    workspace: str
    waited: float
    ended: float = math.inf
    arrived: float = math.nan  # when TikTok counted it


def simulate(backend, callers: list[Caller], until: float, seed: int = 1) -> list[Call]:
    """Every caller attempts when it would wake up, and releases its call when answered.

    Each step takes a microsecond, as a real transaction takes some time: no two happen at the
    same instant. Returns the calls in the order they were granted.
    """
    rng = random.Random(seed)
    order = itertools.count()
    queue = [(c.start, next(order), c) for c in callers]
    heapq.heapify(queue)
    for caller in callers:
        caller.asked_at = caller.start
    calls: list[Call] = []
    current: dict[int, Call] = {}
    now = 0.0
    while queue and queue[0][0] < until:
        wake, _, caller = heapq.heappop(queue)
        now = max(wake, now + 1e-6)
        if caller.in_flight:
            done = current.pop(id(caller))
            done.ended = now
            backend.release(caller.ticket, counted_until(caller, done, now))
            caller.in_flight, caller.calls = False, caller.calls - 1
            if caller.calls <= 0:
                continue
            caller.ticket, caller.asked_at = uuid.uuid4().hex, now
        wait = backend.attempt(caller.ticket, caller.workspace, now)
        if wait > 0:
            heapq.heappush(queue, (now + max(min(wait, MAX_SLEEP_S), 1e-6), next(order), caller))
            continue
        current[id(caller)] = call = Call(now, caller.workspace, now - caller.asked_at)
        calls.append(call)
        caller.in_flight = True
        there, back = caller.round_trip(rng)
        call.arrived = now + there
        heapq.heappush(queue, (now + there + back, next(order), caller))
    return calls


def counted_until(caller: Caller, call: Call, answered: float) -> float:
    if caller.trips is None:
        return answered
    caller.trips.add(answered - call.granted)
    return answered - caller.trips.floor()


def most_tiktok_could_see(calls: list[Call], window: float) -> int:
    """The most calls TikTok could count in one window, each arriving anywhere between its
    grant and its answer: the most [granted, ended] spans meeting one window (t - window, t]."""
    return max(
        sum(1 for other in calls if other.granted <= call.granted < other.ended + window)
        for call in calls
    )


# The decision ---------------------------------------------------------------------------------


def test_blocked_for_waits_for_the_edge_grant_to_leave_its_window():
    def state(qps_edge=None, qpm_edge=None, next_slot=0.0, cooldown_until=0.0):
        return Snapshot(cooldown_until, next_slot, qps_edge, qpm_edge)

    assert blocked_for(TEN_QPS, state(), START) == 0.0
    second, minute = TEN_QPS.second, TEN_QPS.minute
    assert blocked_for(TEN_QPS, state(qps_edge=START - 0.25), START) == pytest.approx(second - 0.25)
    assert blocked_for(TEN_QPS, state(START - 2, START - 30), START) == pytest.approx(minute - 30)
    assert blocked_for(TEN_QPS, state(cooldown_until=START + 100), START) == pytest.approx(100)
    in_flight = state(qps_edge=math.inf)  # the edge call has not been answered yet
    assert blocked_for(TEN_QPS, in_flight, START) == pytest.approx(TEN_QPS.spacing / 2)


def test_blocked_for_paces_grants_and_tolerates_a_slightly_early_caller():
    spacing, slack = TEN_QPS.spacing, TEN_QPS.slack
    assert (spacing, slack) == (pytest.approx(0.101), pytest.approx(0.0202))
    due = Snapshot(0.0, START + spacing, None, None)
    assert blocked_for(TEN_QPS, due, START) == pytest.approx(spacing - slack)
    assert blocked_for(TEN_QPS, due, START + spacing - slack) == 0.0
    early = slot_after(TEN_QPS, START + spacing, START + spacing - slack)
    assert early == pytest.approx(START + 2 * spacing)  # the schedule, not the early caller
    idle = slot_after(TEN_QPS, START, START + 5.0)
    assert idle == pytest.approx(START + 5.0 + spacing)  # idle time is not saved up


def test_next_in_line_is_the_least_recently_served_workspace():
    waiting = {"big": START - 10.0, "small": START - 1.0}
    assert next_in_line(waiting, {"big": START - 0.1, "small": START - 5.0}) == "small"
    assert next_in_line(waiting, {"big": START - 0.1}) == "small"  # never served goes first
    assert next_in_line(waiting, {}) == "big"  # then the longest waiting


# Budget ---------------------------------------------------------------------------------------


def test_qps_is_never_exceeded_and_throughput_stays_just_under_it(make_backend):
    backend = make_backend(TEN_QPS)
    callers = [Caller("acme") for _ in range(4)] + [Caller("globex") for _ in range(2)]
    calls = simulate(backend, callers, until=START + 6.0)
    assert most_tiktok_could_see(calls, 1.0) <= 10
    steady = [c for c in calls if START + 2.0 <= c.granted < START + 6.0]
    assert 9.0 <= len(steady) / 4.0 <= 10.0


def test_slow_answers_hold_their_place_so_late_arrivals_cannot_crowd_a_second(make_backend):
    backend = make_backend(TEN_QPS)
    callers = [Caller("acme", latency=0.4) for _ in range(8)] + [Caller("globex", latency=0.05)]
    calls = simulate(backend, callers, until=START + 5.0)
    assert most_tiktok_could_see(calls, 1.0) <= 10
    assert len(calls) >= 10 / 1.4 * 4.5  # QPS / (1 s + latency), roughly


def test_qpm_is_never_exceeded(make_backend):
    budget = Budget(qps=10, qpm=20)
    backend = make_backend(budget)
    calls = simulate(backend, [Caller("acme"), Caller("globex")], until=START + 70.0)
    assert most_tiktok_could_see(calls, 60.0) <= 20
    assert most_tiktok_could_see(calls, 1.0) <= 10
    assert len(calls) >= 30  # the minute budget is used, and used again a minute later


def test_two_processes_share_one_budget(make_backend):
    one, two = make_backend(TEN_QPS), make_backend(TEN_QPS)
    spacing, slack = TEN_QPS.spacing, TEN_QPS.slack
    assert one.attempt("t0", "acme", START) == 0.0
    assert two.attempt("probe", "globex", START + 0.01) == pytest.approx(spacing - slack - 0.01)
    two.withdraw("probe")
    for n in range(1, 10):
        assert (one if n % 2 else two).attempt(f"t{n}", "acme", START + n * spacing) == 0.0
    # Ten calls in flight: wait for answers, whoever asks.
    assert two.attempt("probe", "globex", START + 1.0) == pytest.approx(spacing / 2)
    two.withdraw("probe")
    for n in range(10):
        (two if n % 2 else one).release(f"t{n}", START + 1.5)
    # Each holds its place until a second after its answer, not after its grant.
    assert one.attempt("t10", "acme", START + 1.6) == pytest.approx(TEN_QPS.second - 0.1)
    assert one.attempt("t10", "acme", START + 1.5 + TEN_QPS.second) == 0.0


def test_a_call_never_answered_holds_its_place_for_the_in_flight_ttl(make_backend):
    budget = Budget(qps=1, qpm=600)
    backend = make_backend(budget)
    assert backend.attempt("lost", "acme", START) == 0.0  # its process dies mid-call
    assert backend.attempt("next", "acme", START + 30.0) == pytest.approx(budget.spacing / 2)
    ended = START + IN_FLIGHT_TTL_S
    assert backend.attempt("next", "acme", ended + 0.5) == pytest.approx(budget.second - 0.5)
    assert backend.attempt("next", "acme", ended + budget.second) == 0.0


def test_calls_counted_from_their_answers_stay_under_qps_however_late_they_arrive(make_backend):
    """TikTok counts a call anywhere in its round trip: here up to 250 ms after it left, five
    times the margin (a starved server, a new connection, a retransmit). Counted until its
    answer less its process's floor, no second of TikTok's ever holds more than QPS calls."""
    backend = make_backend(TEN_QPS)
    processes = [RoundTrips(), RoundTrips()]
    callers = [
        Caller(workspace, latency=0.01, jitter=0.25, trips=processes[n % 2])
        for n, workspace in enumerate(["acme"] * 4 + ["globex"] * 2)
    ]
    calls = simulate(backend, callers, until=START + 20.0)
    assert most_in_any_window([call.arrived for call in calls], 1.0) <= 10
    assert len(calls) / 20.0 >= 7.5  # the jitter (0.25 s on average) costs: 10 / 1.26 s


def test_a_steady_latency_costs_no_throughput_once_the_floor_is_known(make_backend):
    backend = make_backend(TEN_QPS)
    trips = RoundTrips()
    callers = [Caller("acme", latency=0.3, trips=trips) for _ in range(6)]
    calls = simulate(backend, callers, until=START + 8.0)
    assert most_in_any_window([call.arrived for call in calls], 1.0) <= 10
    steady = [call for call in calls if START + 4.0 <= call.granted < START + 8.0]
    assert len(steady) / 4.0 >= 9.0  # counted from the plain answers: 10 / 1.3 s = 7.7 QPS


def test_the_floor_is_the_least_round_trip_once_enough_were_seen():
    trips = RoundTrips(kept=5, trusted=3)
    trips.add(0.5)
    trips.add(0.2)
    assert trips.floor() == 0.0  # two samples could both be slow ones
    trips.add(0.4)
    assert trips.floor() == 0.2
    for _ in range(5):
        trips.add(0.3)
    assert trips.floor() == 0.3  # the way got longer: old samples age out


class ReleaseRecorder:
    """A backend that grants everything and records what `release` was told."""

    budget = TEN_QPS

    def __init__(self) -> None:
        self.counted_until: list[float] = []

    def attempt(self, ticket: str, workspace_key: str, now: float) -> float:
        return 0.0

    def release(self, ticket: str, counted_until: float) -> None:
        self.counted_until.append(counted_until)

    def host_floor(self) -> float:
        return 0.0

    def share_floor(self, floor: float) -> None:
        pass


def test_release_counts_a_call_until_its_answer_less_the_floor():
    fake = FakeTime()
    backend = ReleaseRecorder()
    limiter = RateLimiter(backend, clock=fake.clock, sleep=fake.sleep)  # type: ignore[arg-type]
    answers = []
    for n in range(ROUND_TRIPS_TRUSTED):
        grant = limiter.acquire("acme", timeout=1.0)
        fake.now += 0.2 if n == 3 else 0.25  # the fourth call had the quickest round trip
        limiter.release(grant)
        answers.append(fake.now)
    assert backend.counted_until[:-1] == answers[:-1]  # too few round trips seen: no floor
    assert backend.counted_until[-1] == pytest.approx(answers[-1] - 0.2)


def test_an_idle_limiter_grants_at_once_then_paces(make_backend):
    backend = make_backend(TEN_QPS)
    callers = [Caller("acme", calls=5, start=START + 7.0, latency=0.001)]
    calls = simulate(backend, callers, until=START + 9.0)
    assert calls[0].waited == 0.0
    gaps = [b.granted - a.granted for a, b in itertools.pairwise(calls)]
    assert gaps[0] == pytest.approx(TEN_QPS.spacing - TEN_QPS.slack, abs=1e-5)
    assert gaps[1:] == pytest.approx([TEN_QPS.spacing] * 3, abs=1e-5)


# Cool-down ------------------------------------------------------------------------------------


def test_cooldown_blocks_every_process_and_workspace(make_backend):
    fake = FakeTime()
    first = RateLimiter(make_backend(TEN_QPS), clock=fake.clock, sleep=fake.sleep)
    second = RateLimiter(make_backend(TEN_QPS), clock=fake.clock, sleep=fake.sleep)
    first.start_cooldown(300.0)
    assert second.cooldown_remaining() == pytest.approx(300.0)
    for workspace in ("acme", "globex"):
        assert second.backend.attempt(uuid.uuid4().hex, workspace, fake.now) == pytest.approx(300)
    with pytest.raises(RateLimitTimeout, match="cool-down"):
        second.acquire("acme", timeout=10.0)
    assert fake.slept == []  # no point waiting: the cool-down outlasts the timeout
    fake.now += 300.0
    second.acquire("acme", timeout=1.0)
    assert first.cooldown_remaining() == 0.0


def test_cooldown_only_ever_moves_later(make_backend):
    fake = FakeTime()
    limiter = RateLimiter(make_backend(TEN_QPS), clock=fake.clock, sleep=fake.sleep)
    limiter.start_cooldown(300)
    limiter.start_cooldown(10)
    assert limiter.cooldown_remaining() == pytest.approx(300.0)
    limiter.start_cooldown(400)
    assert limiter.cooldown_remaining() == pytest.approx(400.0)


def test_acquire_waits_out_a_short_cooldown_in_heartbeat_sized_sleeps(make_backend):
    fake = FakeTime()
    limiter = RateLimiter(make_backend(TEN_QPS), clock=fake.clock, sleep=fake.sleep)
    limiter.start_cooldown(2.5)
    limiter.acquire("acme", timeout=10.0)
    assert fake.slept == pytest.approx([1.0, 1.0, 0.5])
    assert fake.now == pytest.approx(START + 2.5)


# acquire() ------------------------------------------------------------------------------------


def test_acquire_spaces_calls_by_the_budget(make_backend):
    fake = FakeTime()
    limiter = RateLimiter(make_backend(TEN_QPS), clock=fake.clock, sleep=fake.sleep)
    calls = []
    for _ in range(25):
        limiter.release(limiter.acquire("acme", timeout=5.0))
        calls.append(Call(fake.now, "acme", 0.0, ended=fake.now))
    times = [call.granted for call in calls]
    assert most_tiktok_could_see(calls, 1.0) <= 10
    assert times[-1] == pytest.approx(START + 24 * TEN_QPS.spacing - TEN_QPS.slack)


def test_acquire_times_out_without_leaving_its_ticket_behind(make_backend):
    fake = FakeTime()
    limiter = RateLimiter(make_backend(Budget(qps=2, qpm=600)), clock=fake.clock, sleep=fake.sleep)
    for _ in range(2):
        limiter.release(limiter.acquire("acme", timeout=1.0))
    slept = len(fake.slept)
    with pytest.raises(RateLimitTimeout, match="budget in use"):
        limiter.acquire("globex", timeout=0.5)  # the window opens in 0.61 s: give up at once
    assert len(fake.slept) == slept
    fake.now += 1.05
    # Had globex's ticket stayed, never-served globex would be next in line and acme would wait.
    assert limiter.backend.attempt("fresh", "acme", fake.now) == 0.0


# Fairness -------------------------------------------------------------------------------------


def test_a_small_job_is_not_starved_by_a_big_one(make_backend):
    backend = make_backend(TEN_QPS)
    big = [Caller("big") for _ in range(4)]
    small = Caller("small", calls=5, start=START + 3.3)
    calls = simulate(backend, [*big, small], until=START + 5.5)
    served = [c for c in calls if c.workspace == "small"]
    assert len(served) == 5
    first_free = min(c.granted for c in calls if c.granted >= small.start)
    assert served[0].granted == first_free
    assert served[0].waited <= TEN_QPS.spacing + TURN_POLL_S
    # then the two workspaces alternate: every further call waits at most two slots
    assert max(g.waited for g in served) <= 2 * TEN_QPS.spacing + TEN_QPS.slack + TURN_POLL_S


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of moments inside any window (t - window, t]."""
    times, low, most = sorted(times), 0, 0
    for high, moment in enumerate(times):
        while times[low] <= moment - window:
            low += 1
        most = max(most, high - low + 1)
    return most


def test_busy_workspaces_take_turns_whatever_their_number_of_workers(make_backend):
    backend = make_backend(TEN_QPS)
    callers = [Caller("acme") for _ in range(4)] + [Caller("globex") for _ in range(2)]
    calls = simulate(backend, callers, until=START + 5.0)
    share = sum(c.workspace == "globex" for c in calls) / len(calls)
    assert 0.45 <= share <= 0.55


def test_a_dead_waiter_holds_others_up_for_at_most_its_ticket_ttl(make_backend):
    ttl = 1.0
    backend = make_backend(TEN_QPS, ticket_ttl_s=ttl)
    assert backend.attempt("first", "acme", START) == 0.0
    assert backend.attempt("dead", "crashed", START + 0.01) > 0  # waits, then its process dies
    calls = simulate(backend, [Caller("acme", start=START + 0.02)], until=START + 2.0)
    first = calls[0].granted
    assert START + 0.01 + ttl <= first <= START + 0.01 + ttl + TEN_QPS.spacing


# Real concurrency (Redis: threads against one server) ------------------------------------------


def test_threads_on_redis_stay_under_the_limit():
    client = connect_redis()
    prefix = f"inviteflow-test:{uuid.uuid4().hex}"
    budget = Budget(qps=20, qpm=1200)
    limiter = RateLimiter(RedisBackend(client, budget, prefix=prefix))
    stop = time.time() + 1.2

    def work(workspace: str) -> None:
        while time.time() < stop:
            grant = limiter.acquire(workspace, timeout=5.0)
            time.sleep(0.005)  # the call
            limiter.release(grant)

    threads = [threading.Thread(target=work, args=(w,)) for w in ("acme",) * 3 + ("globex",) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ends = [end for _, end in client.zrange(f"{prefix}:ended", 0, -1, withscores=True)]
    client.delete(*client.scan_iter(f"{prefix}:*"))
    assert most_in_any_window(ends, 1.0) <= 20
    assert len(ends) >= 0.8 * 1.2 / budget.spacing


# Settings -------------------------------------------------------------------------------------


@pytest.fixture
def fresh_limiter_cache():
    ratelimit._limiter.cache_clear()
    yield
    ratelimit._limiter.cache_clear()


def test_get_limiter_uses_the_database_by_default(settings, fresh_limiter_cache):
    settings.REDIS_URL = ""
    settings.TIKTOK_QPS, settings.TIKTOK_QPM, settings.TIKTOK_THROTTLE_COOLDOWN_S = 20, 1200, 60
    settings.TIKTOK_LIMIT_MARGIN_S = 0.03
    settings.TIKTOK_THROTTLE_PAUSE_S, settings.TIKTOK_THROTTLE_SLOWDOWN_S = 2.0, 120.0
    limiter = ratelimit.get_limiter()
    assert isinstance(limiter.backend, DatabaseBackend)
    assert limiter.backend.budget == Budget(
        qps=20, qpm=1200, cooldown_s=60, margin_s=0.03, pause_s=2.0, slowdown_s=120.0
    )
    assert ratelimit.get_limiter() is limiter  # one per process


def test_get_limiter_uses_redis_when_configured(settings, fresh_limiter_cache):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    limiter = ratelimit.get_limiter()
    assert isinstance(limiter.backend, RedisBackend)
    assert limiter.backend.budget.qps == settings.TIKTOK_QPS


def test_a_fresh_process_borrows_its_machines_floor_on_redis():
    """RQ runs each job in a new process: it starts from the floor its machine's processes
    trust (never above a round trip it saw itself), instead of from plain answers."""
    client = connect_redis()
    prefix = f"test:floor:{uuid.uuid4().hex}"
    fake = FakeTime()

    def process() -> RateLimiter:
        backend = RedisBackend(client, TEN_QPS, prefix=prefix)
        return RateLimiter(backend, clock=fake.clock, sleep=fake.sleep)

    def call(limiter: RateLimiter, round_trip: float) -> None:
        grant = limiter.acquire("acme", timeout=5.0)
        fake.now += round_trip
        limiter.release(grant)
        fake.now += 0.2

    first = process()
    assert first.backend.host_floor() == 0.0  # nobody on this machine trusts a floor yet
    for _ in range(ROUND_TRIPS_TRUSTED + FLOOR_SHARED_EVERY):
        call(first, 0.25)
    assert first.backend.host_floor() == pytest.approx(0.25)

    second = process()
    call(second, 0.4)  # a slow first answer: borrowed, but not above what it saw
    ended = client.zrange(f"{prefix}:ended", -1, -1, withscores=True)
    assert ended[0][1] == pytest.approx(fake.now - 0.2 - 0.25)
    assert second.round_trips.borrowing(0.5) == pytest.approx(0.4)
