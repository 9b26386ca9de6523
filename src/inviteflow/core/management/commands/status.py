"""`inviteflow status [--json]`: workers, queues and the TikTok limiter, installation-wide.

Read from the shared database and Redis, so it answers the same on every machine. Exits 1
when a part could not be read (it says which and why).
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from inviteflow.core import status

QUEUE_STATES = ("ready", "scheduled", "running", "failed")


class Command(BaseCommand):
    help = "Show task workers (with their last heartbeat), queue depths and the TikTok limiter."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON document"
        )

    def handle(self, *args, as_json: bool, **options):
        found = status.snapshot()
        if as_json:
            self.stdout.write(_dumps(found))
        else:
            self.stdout.write("\n".join(report(found)))
        unreadable = [part for part in ("workers", "queues", "limiter") if _failed(found[part])]
        if unreadable:
            raise CommandError(f"could not read: {', '.join(unreadable)}")


def _dumps(found: dict[str, Any]) -> str:
    return json.dumps(found, cls=DjangoJSONEncoder, indent=2)


def _failed(part: Any) -> bool:
    return isinstance(part, dict) and "error" in part


def report(found: dict[str, Any]) -> list[str]:
    """The human-readable status, one line per row."""
    return [
        f"Task backend: {found['backend']}   TikTok limiter: {found['limiter_store']}",
        "",
        *_workers(found["workers"]),
        "",
        *_queues(found["queues"]),
        "",
        *_limiter(found["limiter"]),
    ]


def _workers(workers: Any) -> list[str]:
    if _failed(workers):
        return [f"Workers: unreadable ({workers['error']})"]
    if not workers:
        return ["Workers: none has beaten (start one with `inviteflow worker`)"]
    alive = sum(worker["alive"] for worker in workers)
    rows = [["WORKER", "HOST", "PID", "QUEUES", "LAST BEAT", "STATE"]]
    for worker in workers:
        rows.append(
            [
                worker["worker_id"],
                worker["host"],
                str(worker["pid"]),
                ",".join(worker["queues"]),
                f"{worker['silent_s']:.0f} s ago",
                "alive" if worker["alive"] else "DEAD",
            ]
        )
    return [f"Workers: {alive} alive, {len(workers) - alive} dead", *_table(rows)]


def _queues(depths: Any) -> list[str]:
    if _failed(depths):
        return [f"Queues: unreadable ({depths['error']})"]
    rows = [["QUEUE", *(state.upper() for state in QUEUE_STATES)]]
    rows += [[depth["queue"], *(str(depth[state]) for state in QUEUE_STATES)] for depth in depths]
    return ["Queues:", *_table(rows)]


def _limiter(view: Any) -> list[str]:
    if _failed(view):
        return [f"TikTok limiter: unreadable ({view['error']})"]
    now = view["now"]
    return [
        f"TikTok limiter: {view['qps']} calls/s, {view['qpm']} calls/min",
        f"  calls in flight {view['in_flight']}, in the last minute {view['last_minute']},"
        f" callers waiting {view['waiting']}",
        f"  cool-down: {_until(view['cooldown_until'], now, 'none')}",
        f"  slower pace after a throttle answer: {_until(view['slow_until'], now, 'no')}",
    ]


def _until(moment: float, now: float, otherwise: str) -> str:
    if moment <= now:
        return otherwise
    at = datetime.fromtimestamp(moment, UTC).strftime("%H:%M:%S UTC")
    return f"until {at} ({moment - now:.0f} s left)"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
