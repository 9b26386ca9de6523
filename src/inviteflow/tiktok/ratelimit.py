"""One TikTok rate limiter for the whole installation (architecture invariant 3).

TikTok's limit is per developer app: 10 QPS and 600 QPM by default, code 40100 past either, then
a penalty of about five minutes after a per-minute breach (contract §2.2). Every web process,
worker and scheduler of the installation therefore asks this limiter before each call, and the
limiter keeps its state where all of them see it: the database (default) or Redis (when
REDIS_URL is set).

Budget: two sliding windows, one second and one minute long. A call counts against a window
from the moment it is granted ("in flight" until released) until one window-length after the
latest moment TikTok can have counted it. TikTok counts a call when it arrives, somewhere between
our sending it and its answer reaching us, so the client releases a call when its answer (or
failure) is in, and the limiter takes off the least round trip this process saw lately (the way
there and back, which no call skips): the call counts from `answer - floor`. A call is granted
only when fewer than QPS calls count against the last second and fewer than QPM against the last
minute. Each window is widened by `margin_s` (TIKTOK_LIMIT_MARGIN_S, default 50 ms) for clock
drift between machines and error in the floor. A call whose process dies before its release
counts as ended `IN_FLIGHT_TTL_S` after its grant.

Why not from when the request was sent (as this limiter first did): that trusts TikTok to count
a call within `margin_s` of its last byte leaving, and a busy machine breaks it. On 2 cores with
two CPU-bound processes, requests reached the sandbox's counter up to 265 ms after they were
sent (a new connection waits for the server to accept it; a starved server drains its queue in
a burst) while others arrived at once. In one run a call sent at t was counted at t + 74 ms and
the eleventh, granted at t + 1.061 s, at once: 11 calls in 0.99 s, a 40100, and, before throttle
answers were told apart, the full cool-down for every job. Network jitter and retransmits do the
same on the way to TikTok. The answer is a bound no delay breaks; with the floor taken off, a
steady latency costs nothing, only the part of a round trip above the floor does. A client that
releases calls at send is back to trusting the margin.

Pacing: grants are also spread evenly, one per `second / QPS`, a GCRA schedule: the shared
`next_slot` moves one spacing on per grant, and a caller up to `spacing / 5` early may take it
(a waiter that woke a little late is made up for). Ten calls granted at once would reach TikTok
in a clump, queue there and come back late, holding their places longer; spaced calls do not.

Throttle answers: one 40100 is not always a per-minute breach (a per-second slip costs TikTok
only that call), so `throttled()` (what the client calls on a throttle answer) first pauses every
process for `pause_s` (TIKTOK_THROTTLE_PAUSE_S, 5 s) and lowers the pace to `SLOW_PACE` (80 %)
of QPS and QPM for `slowdown_s` (TIKTOK_THROTTLE_SLOWDOWN_S, 300 s). A second throttle answer
within `REPEAT_WINDOW_S` (a minute) of the first starts the full cool-down (`cooldown_s`,
TIKTOK_THROTTLE_COOLDOWN_S). Answers that arrive during the pause belong to calls sent before
it, so they change nothing. The shared `cooldown_until` holds the pause or the cool-down (it only
ever moves later; `cooldown_remaining()` tells background jobs when to come back); the shared
`slow_until` holds when the slower pace ends, and so when TikTok last throttled us.
`start_cooldown(seconds)` stops every process for exactly `seconds`; without an argument it is
`throttled()`.

Fairness between workspaces: waiting callers hold a ticket (workspace key, when it was taken, a
heartbeat refreshed on every attempt). When a slot is free it goes to the waiting workspace that
was served least recently (never, or not within the last minute, counts as longest ago); ties go
to the workspace whose ticket is oldest. So several busy workspaces take turns, and a workspace
with one call waits for at most the next free slot however many calls another one has queued.
Within one workspace any of its waiters may take the slot. A ticket whose heartbeat is older than
`ticket_ttl_s` (a crashed process) is dropped, so a dead waiter can hold up others only that long.

The interface: `acquire(workspace_key, timeout)` blocks until a call may go and returns its
grant; `release(grant)` when the answer (or the failure) is in; `throttled()`,
`start_cooldown(seconds)`, `cooldown_remaining()`, and `state()` (what `inviteflow status` and
/metrics show; waits and cool-downs are also counted in core.metrics). Each backend implements
one atomic `attempt(ticket, workspace_key, now) -> seconds to wait` (0 = granted): a transaction
holding the `LimiterState` row locked (SELECT FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
transactions lock the database) or one Redis Lua script. Both make the same decision
(`blocked_for`, then `next_in_line`); the Lua script mirrors the Python. Times come from an
injectable clock, so processes on several machines need synchronised clocks (skew eats into the
margin) and similar paths to TikTok (the floor is measured per process; on Redis a process
borrows its machine's until it trusts its own, see `RateLimiter._floor`). The database backend
must not run inside another transaction (its writes would stay invisible to other processes
until that commits), so it opens a durable atomic block: call TikTok outside transactions.
"""

from __future__ import annotations

import functools
import logging
import math
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q

from inviteflow.core import metrics
from inviteflow.tiktok.errors import RateLimitTimeout
from inviteflow.tiktok.models import LimiterCall, LimiterState, LimiterTicket

log = logging.getLogger(__name__)

TURN_POLL_S = 0.02  # the least a waiter sleeps when a free slot is another workspace's turn
MAX_SLEEP_S = 1.0  # waiters wake at least this often, which keeps their heartbeat fresh
TICKET_TTL_S = 5.0  # a waiter silent this long has died
IN_FLIGHT_TTL_S = 60.0  # a call unreleased this long has died with its process
SLOW_PACE = 0.8  # the share of QPS and QPM used for a while after a throttle answer
REPEAT_WINDOW_S = 60.0  # a throttle answer this soon after the last one means a real breach
ROUND_TRIPS_KEPT = 100  # the floor is the least of this process's last round trips...
ROUND_TRIPS_TRUSTED = 20  # ...once it has seen this many (before: the machine's, or none)
FLOOR_SHARED_EVERY = 20  # releases between two publications of a trusted floor (Redis)
FLOOR_KEPT_S = 600  # a machine's shared floor is forgotten after this long without news


@dataclass(frozen=True)
class Budget:
    """The app's tier (contract §2.2) and how this limiter spends it."""

    qps: int
    qpm: int
    cooldown_s: float = 300.0
    margin_s: float = 0.01
    pause_s: float = 5.0
    slowdown_s: float = 300.0

    def slowed(self) -> Budget:
        """The budget used for `slowdown_s` after a throttle answer: SLOW_PACE of the tier."""
        return replace(
            self,
            qps=max(1, math.floor(self.qps * SLOW_PACE)),
            qpm=max(1, math.floor(self.qpm * SLOW_PACE)),
        )

    def at(self, now: float, slow_until: float) -> Budget:
        return self.slowed() if now < slow_until else self

    @property
    def second(self) -> float:
        return 1.0 + self.margin_s

    @property
    def minute(self) -> float:
        return 60.0 + self.margin_s

    @property
    def spacing(self) -> float:
        return self.second / self.qps

    @property
    def slack(self) -> float:
        """How early a caller may take its paced slot."""
        return self.spacing / 5


@dataclass(frozen=True)
class Snapshot:
    """What the decision needs from storage, read under the lock.

    An edge is the end of the call that must leave its window before one more call fits (the
    QPS-th, or QPM-th, latest to end, counting calls in flight as latest): `math.inf` when it is
    still in flight, None when fewer calls than the budget count at all.
    """

    cooldown_until: float
    next_slot: float
    qps_edge: float | None
    qpm_edge: float | None


def blocked_for(budget: Budget, state: Snapshot, now: float) -> float:
    """Seconds until the cool-down is over, the paced slot is due and both windows have room."""
    waits = [state.cooldown_until - now, state.next_slot - budget.slack - now]
    for edge, window in ((state.qps_edge, budget.second), (state.qpm_edge, budget.minute)):
        if edge == math.inf:
            waits.append(budget.spacing / 2)  # an answer is due: look again soon
        elif edge is not None:
            waits.append(edge + window - now)
    return max(0.0, *waits)


def slot_after(budget: Budget, next_slot: float, now: float) -> float:
    """The GCRA step: the paced slot after a grant at `now`."""
    return max(next_slot, now) + budget.spacing


def wait_for_next_turn(budget: Budget, next_slot: float, now: float) -> float:
    """A free slot went to another workspace: come back when the next one is due."""
    return max(TURN_POLL_S, slot_after(budget, next_slot, now) - budget.slack - now)


def next_in_line(waiting: Mapping[str, float], last_served: Mapping[str, float]) -> str:
    """The waiting workspace served least recently; ties go to the one waiting longest."""
    return min(waiting, key=lambda key: (last_served.get(key, -math.inf), waiting[key], key))


@dataclass(frozen=True)
class Throttle:
    """The shared state a throttle answer changes: when calls may go again, and when the slower
    pace ends (`slowdown_s` after the last throttle answer that counted)."""

    cooldown_until: float
    slow_until: float


def stop_after_throttle(budget: Budget, state: Throttle, now: float) -> float | None:
    """Seconds every process stops after a throttle answer at `now`: a brief pause, or the full
    cool-down when TikTok throttled us within the last minute already. None for an answer during
    the pause: its call was sent before the pause began, in the same burst."""
    last = state.slow_until - budget.slowdown_s
    if now < last + budget.pause_s:
        return None
    return budget.cooldown_s if now - last <= REPEAT_WINDOW_S else budget.pause_s


def after_throttle(budget: Budget, state: Throttle, now: float) -> tuple[float | None, Throttle]:
    """The stop (`stop_after_throttle`) and the shared state after it."""
    stop = stop_after_throttle(budget, state, now)
    if stop is None:
        return None, state
    return stop, Throttle(max(state.cooldown_until, now + stop), now + budget.slowdown_s)


class RoundTrips:
    """This process's latest grant-to-answer times. Their least, the floor, is the shortest way
    from a grant to TikTok plus from TikTok back to us: TikTok counted a call no later than its
    answer less the way back, and counts a later call no sooner than its grant plus the way
    there, so a place held until `answer - floor` plus a window keeps the two a window apart.
    Thread-safe: one per process, used by all its threads."""

    def __init__(self, kept: int = ROUND_TRIPS_KEPT, trusted: int = ROUND_TRIPS_TRUSTED) -> None:
        self._seen: deque[float] = deque(maxlen=kept)
        self._trusted = trusted
        self._lock = threading.Lock()

    def add(self, seconds: float) -> None:
        with self._lock:
            self._seen.append(max(0.0, seconds))

    def floor(self) -> float:
        """0 until enough were seen: one slow sample must not pass for the path's best."""
        with self._lock:
            return min(self._seen) if len(self._seen) >= self._trusted else 0.0

    def borrowing(self, host_floor: float) -> float:
        """Before this process trusts its own floor: another process's on this machine (the
        same way to TikTok), never above a round trip this process saw itself."""
        with self._lock:
            return min([host_floor, *self._seen]) if host_floor else 0.0


class Backend(Protocol):
    budget: Budget

    def attempt(self, ticket: str, workspace_key: str, now: float) -> float: ...
    def release(self, ticket: str, counted_until: float) -> None: ...
    def withdraw(self, ticket: str) -> None: ...
    def extend_cooldown(self, until: float, now: float) -> None: ...
    def throttled(self, now: float) -> float | None: ...
    def cooldown_until(self) -> float: ...
    def state(self, now: float) -> LimiterView: ...
    def host_floor(self) -> float: ...
    def share_floor(self, floor: float) -> None: ...


@dataclass(frozen=True)
class LimiterView:
    """What an operator sees of the shared limiter (times are Unix seconds, 0 = never)."""

    store: str  # "database" or "redis"
    qps: int
    qpm: int
    now: float
    cooldown_until: float  # no call goes before this (a pause or the full cool-down)
    slow_until: float  # the slower pace after a throttle answer lasts until this
    next_slot: float  # the paced schedule's next grant
    in_flight: int  # calls granted whose answer is not in yet
    last_minute: int  # calls counted against the minute window (in flight included)
    waiting: int  # callers waiting for a slot


class RateLimiter:
    """The interface every caller uses; the backend decides, this loop waits."""

    def __init__(
        self,
        backend: Backend,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backend = backend
        self._clock = clock
        self._sleep = sleep
        self.round_trips = RoundTrips()
        self._granted_at: dict[str, float] = {}
        self._host_floor: float | None = None  # read once, while this process's is untrusted
        self._releases = 0

    def acquire(self, workspace_key: str, timeout: float) -> str:
        """Block until one TikTok call may go; returns its grant for `release`.

        RateLimitTimeout if no slot comes within `timeout` seconds; raised at once when the
        wait (a cool-down, a full window) is known to outlast it.
        """
        ticket = uuid.uuid4().hex
        started = self._clock()
        deadline = started + timeout
        granted = False
        try:
            while not granted:
                now = self._clock()
                wait = self.backend.attempt(ticket, workspace_key, now)
                granted = wait <= 0
                if not granted and now + wait > deadline:
                    raise self._timeout(timeout)
                if not granted:
                    self._sleep(min(wait, MAX_SLEEP_S))
        finally:
            metrics.observe_limiter_wait(self._clock() - started, granted)
            if not granted:
                self.backend.withdraw(ticket)
        self._granted_at[ticket] = now
        return ticket

    def release(self, grant: str) -> None:
        """The call's answer (or failure) is in: it counts as made at `now - floor`, so its place
        frees a window-length after that."""
        now = self._clock()
        granted_at = self._granted_at.pop(grant, None)
        if granted_at is not None:
            self.round_trips.add(now - granted_at)
        self.backend.release(grant, now - self._floor())

    def _floor(self) -> float:
        """This process's floor, shared with the machine's other processes now and then; until
        it is trusted, theirs. RQ runs each job in a fresh process, which would otherwise
        count its first calls from their answers: a slower start for every job."""
        own = self.round_trips.floor()
        self._releases += 1
        if own and self._releases % FLOOR_SHARED_EVERY == 0:
            self.backend.share_floor(own)
        if own:
            return own
        if self._host_floor is None:
            self._host_floor = self.backend.host_floor()
        return self.round_trips.borrowing(self._host_floor)

    def throttled(self) -> None:
        """TikTok answered a throttle code: pause everybody briefly and slow down, or, when it
        is the second time within a minute, stop everybody for the full cool-down."""
        stop = self.backend.throttled(self._clock())
        budget = self.backend.budget
        if stop is not None:
            metrics.count_cooldown("pause" if stop < budget.cooldown_s else "cooldown")
        if stop is None:
            log.info("TikTok throttled a call sent before the pause began: nothing more to do")
        elif stop < budget.cooldown_s:
            log.warning(
                "TikTok throttled: no calls for %.0f s, then %.0f %% of the pace for %.0f s,"
                " installation-wide",
                stop,
                SLOW_PACE * 100,
                budget.slowdown_s,
            )
        else:
            log.warning(
                "TikTok throttled again within a minute: no calls for %.0f s, installation-wide",
                stop,
            )

    def start_cooldown(self, seconds: float | None = None) -> None:
        """Stop every process of the installation for `seconds`; without them, `throttled()`."""
        if seconds is None:
            self.throttled()
            return
        now = self._clock()
        log.warning("TikTok calls stopped for %.0f s, installation-wide", seconds)
        metrics.count_cooldown("stop")
        self.backend.extend_cooldown(now + seconds, now)

    def cooldown_remaining(self) -> float:
        return max(0.0, self.backend.cooldown_until() - self._clock())

    def state(self) -> LimiterView:
        """The shared state right now, for `inviteflow status` and /metrics."""
        return self.backend.state(self._clock())

    def _timeout(self, timeout: float) -> RateLimitTimeout:
        left = self.cooldown_remaining()
        why = f"cool-down, {left:.0f} s left" if left else "budget in use"
        return RateLimitTimeout(None, f"no TikTok call slot within {timeout:g} s ({why})")


STATE_ROW = 1  # LimiterState's row every decision locks: cool-down and paced schedule
PACE_ROW = 2  # a second row whose `cooldown_until` is when the slower pace ends (`slow_until`)


class DatabaseBackend:
    """State in three small tables; a grant is decided under a lock on LimiterState's first row.

    An attempt first decides without the lock, from plain reads (which never wait in SQLite's
    WAL mode, nor on PostgreSQL's row locks), and takes the lock only when that says "granted".
    Most attempts end in a wait, and each locking attempt queues for the database's single write
    lock: on SQLite a loser sleeps in the busy handler's growing steps (up to 100 ms), so under
    CPU load the waiter whose turn it was came tens of ms late and throughput fell under 9 QPS.
    A waiter's ticket is written when it starts waiting and its heartbeat refreshed once a
    second (not at every attempt), for the same reason.
    """

    def __init__(self, budget: Budget, ticket_ttl_s: float = TICKET_TTL_S) -> None:
        self.budget = budget
        self.ticket_ttl_s = ticket_ttl_s
        self._heartbeats: dict[str, float] = {}  # ticket -> when this process last wrote it

    def attempt(self, ticket: str, workspace_key: str, now: float) -> float:
        self._keep_ticket(ticket, workspace_key, now)
        wait = self._wait(workspace_key, self._state(), self._slow_until(), now)
        if wait > 0:
            return wait
        with transaction.atomic(durable=True):
            state = self._locked_state()
            slow_until = self._slow_until()
            wait = self._wait(workspace_key, state, slow_until, now)
            if wait > 0:
                return wait
            self._grant(self.budget.at(now, slow_until), state, ticket, workspace_key, now)
            return 0.0

    def _wait(
        self, workspace_key: str, state: LimiterState, slow_until: float, now: float
    ) -> float:
        """The decision: 0 when this workspace may call now, else how long to wait."""
        budget = self.budget.at(now, slow_until)
        wait = blocked_for(budget, self._snapshot(budget, state, now), now)
        if wait > 0:
            return wait
        waiting = self._waiting(now)
        if next_in_line(waiting, self._last_served(budget, waiting, now)) != workspace_key:
            return wait_for_next_turn(budget, state.next_slot, now)
        return 0.0

    def release(self, ticket: str, counted_until: float) -> None:
        calls = LimiterCall.objects.filter(pk=ticket, ended_at__isnull=True)
        calls.update(ended_at=counted_until)

    def withdraw(self, ticket: str) -> None:
        self._heartbeats.pop(ticket, None)
        LimiterTicket.objects.filter(pk=ticket).delete()

    def extend_cooldown(self, until: float, now: float) -> None:
        with transaction.atomic(durable=True):
            state = self._locked_state()
            if until > state.cooldown_until:
                state.cooldown_until = until
                state.save(update_fields=["cooldown_until"])

    def throttled(self, now: float) -> float | None:
        with transaction.atomic(durable=True):
            state = self._locked_state()
            pace = LimiterState.objects.get_or_create(pk=PACE_ROW)[0]
            before = Throttle(state.cooldown_until, pace.cooldown_until)
            stop, after = after_throttle(self.budget, before, now)
            state.cooldown_until, pace.cooldown_until = after.cooldown_until, after.slow_until
            state.save(update_fields=["cooldown_until"])
            pace.save(update_fields=["cooldown_until"])
            return stop

    def cooldown_until(self) -> float:
        row = LimiterState.objects.filter(pk=STATE_ROW).values_list("cooldown_until", flat=True)
        return row.first() or 0.0

    def host_floor(self) -> float:
        """Nothing shared: the database's workers run task after task in one process, which
        keeps its floor (RQ's fresh process per job is why Redis shares one)."""
        return 0.0

    def share_floor(self, floor: float) -> None:
        pass

    def state(self, now: float) -> LimiterView:
        row = self._state()
        in_flight = LimiterCall.objects.filter(ended_at__isnull=True)
        counted = in_flight | LimiterCall.objects.filter(ended_at__gte=now - self.budget.minute)
        waiting = LimiterTicket.objects.filter(seen_at__gte=now - self.ticket_ttl_s)
        return LimiterView(
            store="database",
            qps=self.budget.qps,
            qpm=self.budget.qpm,
            now=now,
            cooldown_until=row.cooldown_until,
            slow_until=self._slow_until(),
            next_slot=row.next_slot,
            in_flight=in_flight.count(),
            last_minute=counted.count(),
            waiting=waiting.count(),
        )

    def _state(self) -> LimiterState:
        return LimiterState.objects.filter(pk=STATE_ROW).first() or LimiterState(pk=STATE_ROW)

    def _locked_state(self) -> LimiterState:
        return LimiterState.objects.select_for_update().get_or_create(pk=STATE_ROW)[0]

    def _slow_until(self) -> float:
        row = LimiterState.objects.filter(pk=PACE_ROW).values_list("cooldown_until", flat=True)
        return row.first() or 0.0

    def _keep_ticket(self, ticket: str, workspace_key: str, now: float) -> None:
        """Write the waiter's ticket, or its heartbeat when the last is a second old."""
        if now - self._heartbeats.get(ticket, -math.inf) < MAX_SLEEP_S:
            return
        if not LimiterTicket.objects.filter(pk=ticket).update(seen_at=now):
            LimiterTicket.objects.create(
                ticket=ticket, workspace_key=workspace_key, created_at=now, seen_at=now
            )
        self._heartbeats[ticket] = now

    def _snapshot(self, budget: Budget, state: LimiterState, now: float) -> Snapshot:
        """Few queries on purpose: every process waits for the lock this transaction holds."""
        counts = self._count_calls()
        if counts["in_flight"] >= budget.qps and self._end_lost_calls(now):
            counts = self._count_calls()
        return Snapshot(
            cooldown_until=state.cooldown_until,
            next_slot=state.next_slot,
            qps_edge=self._edge(budget.qps, counts),
            qpm_edge=self._edge(budget.qpm, counts),
        )

    def _count_calls(self) -> dict[str, int]:
        in_flight = Count("pk", filter=Q(ended_at__isnull=True))
        return LimiterCall.objects.aggregate(in_flight=in_flight, total=Count("pk"))

    def _end_lost_calls(self, now: float) -> int:
        """Calls whose process died mid-call count as ended IN_FLIGHT_TTL_S after their grant."""
        lost = LimiterCall.objects.filter(
            ended_at__isnull=True, granted_at__lt=now - IN_FLIGHT_TTL_S
        )
        return lost.update(ended_at=F("granted_at") + IN_FLIGHT_TTL_S)

    def _edge(self, n: int, counts: Mapping[str, int]) -> float | None:
        if counts["total"] < n:
            return None
        if counts["in_flight"] >= n:
            return math.inf
        ended = LimiterCall.objects.filter(ended_at__isnull=False).order_by("-ended_at")
        nth = n - counts["in_flight"]
        return next(iter(ended.values_list("ended_at", flat=True)[nth - 1 : nth]), None)

    def _waiting(self, now: float) -> dict[str, float]:
        alive = LimiterTicket.objects.filter(seen_at__gte=now - self.ticket_ttl_s)
        rows = alive.values("workspace_key").annotate(first=Min("created_at"))
        return {row["workspace_key"]: row["first"] for row in rows.order_by()}

    def _last_served(
        self, budget: Budget, waiting: Mapping[str, float], now: float
    ) -> dict[str, float]:
        if len(waiting) < 2:
            return {}
        rows = (
            LimiterCall.objects.filter(
                workspace_key__in=list(waiting), granted_at__gte=now - budget.minute
            )
            .values("workspace_key")
            .annotate(last=Max("granted_at"))
            .order_by()
        )
        return {row["workspace_key"]: row["last"] for row in rows}

    def _grant(
        self, budget: Budget, state: LimiterState, ticket: str, workspace_key: str, now: float
    ) -> None:
        state.next_slot = slot_after(budget, state.next_slot, now)
        state.save(update_fields=["next_slot"])
        LimiterCall.objects.create(ticket=ticket, workspace_key=workspace_key, granted_at=now)
        self._heartbeats.pop(ticket, None)
        LimiterTicket.objects.filter(Q(pk=ticket) | Q(seen_at__lt=now - self.ticket_ttl_s)).delete()
        self._end_lost_calls(now)
        LimiterCall.objects.filter(ended_at__lt=now - budget.minute).delete()


# KEYS: 1 ended calls (zset ticket -> counted until), 2 calls in flight (zset ticket -> grant),
#       3 waiting tickets (zset ticket -> heartbeat), 4 ticket -> workspace (hash),
#       5 ticket -> taken at (hash), 6 workspace -> last grant (hash), 7 cooldown, 8 next_slot,
#       9 slow_until
# ARGV: now, ticket, workspace, qps, qpm, second, minute, ticket ttl, turn poll, spacing,
#       slack, in-flight ttl, then qps, qpm, spacing, slack of the slower pace
_ATTEMPT_LUA = """
local now, ticket, ws = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local qps, qpm = tonumber(ARGV[4]), tonumber(ARGV[5])
local second, minute = tonumber(ARGV[6]), tonumber(ARGV[7])
local ttl, spacing, slack = tonumber(ARGV[8]), tonumber(ARGV[10]), tonumber(ARGV[11])
local flight_ttl = tonumber(ARGV[12])
if now < tonumber(redis.call('GET', KEYS[9]) or '0') then
  qps, qpm = tonumber(ARGV[13]), tonumber(ARGV[14])
  spacing, slack = tonumber(ARGV[15]), tonumber(ARGV[16])
end

if redis.call('HSETNX', KEYS[4], ticket, ws) == 1 then
  redis.call('HSET', KEYS[5], ticket, ARGV[1])
end
redis.call('ZADD', KEYS[3], now, ticket)
local keep_ms = math.ceil(ttl * 1000) + 1000
for i = 3, 5 do redis.call('PEXPIRE', KEYS[i], keep_ms) end

local lost = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - flight_ttl), 'WITHSCORES')
for i = 1, #lost, 2 do
  redis.call('ZREM', KEYS[2], lost[i])
  redis.call('ZADD', KEYS[1], tonumber(lost[i + 1]) + flight_ttl, lost[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - minute))
local in_flight = redis.call('ZCARD', KEYS[2])

local next_slot = tonumber(redis.call('GET', KEYS[8]) or '0')
local cooldown = tonumber(redis.call('GET', KEYS[7]) or '0')
local wait = math.max(0, cooldown - now, next_slot - slack - now)
local function edge(n, window)
  if in_flight >= n then
    wait = math.max(wait, spacing / 2)
    return
  end
  local nth = n - in_flight
  local hit = redis.call('ZREVRANGE', KEYS[1], nth - 1, nth - 1, 'WITHSCORES')
  if hit[2] then wait = math.max(wait, tonumber(hit[2]) + window - now) end
end
edge(qps, second)
edge(qpm, minute)
if wait > 0 then return tostring(wait) end

local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - ttl))
for _, old in ipairs(stale) do
  redis.call('ZREM', KEYS[3], old)
  redis.call('HDEL', KEYS[4], old)
  redis.call('HDEL', KEYS[5], old)
end
local waiting = {}
local owners = redis.call('HGETALL', KEYS[4])
for i = 1, #owners, 2 do
  local born = tonumber(redis.call('HGET', KEYS[5], owners[i]) or ARGV[1])
  local key = owners[i + 1]
  if waiting[key] == nil or born < waiting[key] then waiting[key] = born end
end
local best, best_served, best_born
for key, born in pairs(waiting) do
  local served = tonumber(redis.call('HGET', KEYS[6], key) or '')
  if served == nil or served < now - minute then served = -math.huge end
  if best == nil or served < best_served or (served == best_served and
      (born < best_born or (born == best_born and key < best))) then
    best, best_served, best_born = key, served, born
  end
end
if best ~= ws then
  return tostring(math.max(tonumber(ARGV[9]), math.max(next_slot, now) + spacing - slack - now))
end

redis.call('ZADD', KEYS[2], now, ticket)
redis.call('SET', KEYS[8], string.format('%.6f', math.max(next_slot, now) + spacing))
redis.call('HSET', KEYS[6], ws, ARGV[1])
redis.call('ZREM', KEYS[3], ticket)
redis.call('HDEL', KEYS[4], ticket)
redis.call('HDEL', KEYS[5], ticket)
local window_ms = math.ceil((minute + flight_ttl) * 1000) + 1000
for _, i in ipairs({1, 2, 6, 8}) do redis.call('PEXPIRE', KEYS[i], window_ms) end
return '0'
"""

# KEYS: ended calls, calls in flight. ARGV: ticket, counted until.
_RELEASE_LUA = """
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
return 0
"""

# KEYS: waiting tickets, ticket -> workspace, ticket -> taken at. ARGV: ticket.
_WITHDRAW_LUA = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 0
"""

# KEYS: cooldown. ARGV: until, now. The cool-down only ever moves later.
_COOLDOWN_LUA = """
local till, now = tonumber(ARGV[1]), tonumber(ARGV[2])
if till > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.ceil((till - now) * 1000) + 1000)
end
return 0
"""

_KEY_NAMES = (
    "ended",
    "in_flight",
    "tickets",
    "ticket_workspace",
    "ticket_born",
    "served",
    "cooldown",
    "next_slot",
    "slow_until",
)


class RedisBackend:
    """The same decision as one Lua script per attempt, atomic on the Redis server."""

    def __init__(
        self,
        redis: Any,
        budget: Budget,
        prefix: str = "inviteflow:tiktok:ratelimit",
        ticket_ttl_s: float = TICKET_TTL_S,
    ) -> None:
        self.budget = budget
        self.ticket_ttl_s = ticket_ttl_s
        self.redis = redis
        self.keys = [f"{prefix}:{name}" for name in _KEY_NAMES]
        self.floor_key = f"{prefix}:floor:{socket.gethostname()}"  # per machine: its way there
        self._attempt = redis.register_script(_ATTEMPT_LUA)
        self._release = redis.register_script(_RELEASE_LUA)
        self._withdraw = redis.register_script(_WITHDRAW_LUA)
        self._extend = redis.register_script(_COOLDOWN_LUA)

    def attempt(self, ticket: str, workspace_key: str, now: float) -> float:
        b, slow = self.budget, self.budget.slowed()
        args = [now, ticket, workspace_key, b.qps, b.qpm, b.second, b.minute, self.ticket_ttl_s]
        args += [TURN_POLL_S, b.spacing, b.slack, IN_FLIGHT_TTL_S]
        args += [slow.qps, slow.qpm, slow.spacing, slow.slack]
        return float(self._attempt(keys=self.keys, args=args))

    def release(self, ticket: str, counted_until: float) -> None:
        self._release(keys=self.keys[0:2], args=[ticket, counted_until])

    def withdraw(self, ticket: str) -> None:
        self._withdraw(keys=self.keys[2:5], args=[ticket])

    def extend_cooldown(self, until: float, now: float) -> None:
        self._extend(keys=[self.keys[6]], args=[until, now])

    def throttled(self, now: float) -> float | None:
        """Read, decide in Python (`after_throttle`), write: a WATCH transaction retried if
        another process changed either key meanwhile (throttle answers are rare)."""
        cooldown_key, slow_key = self.keys[6], self.keys[8]

        def decide(pipe: Any) -> float | None:
            before = Throttle(float(pipe.get(cooldown_key) or 0), float(pipe.get(slow_key) or 0))
            stop, after = after_throttle(self.budget, before, now)
            if stop is not None:
                pipe.multi()
                pipe.set(cooldown_key, repr(after.cooldown_until), px=_keep_ms(after, now))
                pipe.set(slow_key, repr(after.slow_until), px=_keep_ms(after, now))
            return stop

        stop: float | None = self.redis.transaction(
            decide, cooldown_key, slow_key, value_from_callable=True
        )
        return stop

    def cooldown_until(self) -> float:
        return float(self.redis.get(self.keys[6]) or 0.0)

    def host_floor(self) -> float:
        return float(self.redis.get(self.floor_key) or 0.0)

    def share_floor(self, floor: float) -> None:
        self.redis.set(self.floor_key, repr(floor), ex=FLOOR_KEPT_S)

    def state(self, now: float) -> LimiterView:
        ended, in_flight, tickets, *_ = self.keys
        pipe = self.redis.pipeline(transaction=False)
        for key in self.keys[6:9]:  # cooldown, next_slot, slow_until
            pipe.get(key)
        pipe.zcard(in_flight)
        pipe.zcount(ended, now - self.budget.minute, "+inf")
        pipe.zcount(tickets, now - self.ticket_ttl_s, "+inf")
        cooldown, next_slot, slow_until, flying, ended_recently, waiting = pipe.execute()
        return LimiterView(
            store="redis",
            qps=self.budget.qps,
            qpm=self.budget.qpm,
            now=now,
            cooldown_until=float(cooldown or 0.0),
            slow_until=float(slow_until or 0.0),
            next_slot=float(next_slot or 0.0),
            in_flight=int(flying),
            last_minute=int(flying) + int(ended_recently),
            waiting=int(waiting),
        )


def _keep_ms(state: Throttle, now: float) -> int:
    """How long the throttle keys must live: until both times passed and a repeat could no
    longer count as one, and a second."""
    until = max(state.cooldown_until, state.slow_until, now + REPEAT_WINDOW_S)
    return math.ceil((until - now) * 1000) + 1000


def get_limiter() -> RateLimiter:
    """The installation's limiter, from settings: Redis when REDIS_URL is set, else the database."""
    budget = Budget(
        qps=settings.TIKTOK_QPS,
        qpm=settings.TIKTOK_QPM,
        cooldown_s=settings.TIKTOK_THROTTLE_COOLDOWN_S,
        margin_s=settings.TIKTOK_LIMIT_MARGIN_S,
        pause_s=settings.TIKTOK_THROTTLE_PAUSE_S,
        slowdown_s=settings.TIKTOK_THROTTLE_SLOWDOWN_S,
    )
    return _limiter(settings.REDIS_URL, budget)


@functools.cache
def _limiter(redis_url: str, budget: Budget) -> RateLimiter:
    if redis_url:
        import redis

        return RateLimiter(RedisBackend(redis.Redis.from_url(redis_url), budget))
    return RateLimiter(DatabaseBackend(budget))
