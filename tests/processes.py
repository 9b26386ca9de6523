"""Killing a worker as a dying machine would: RQ runs each job in a work horse of its own
process group (and its scheduler in a child), so SIGKILL to the worker alone leaves them."""

import contextlib
import os
import signal
import subprocess
from pathlib import Path


def descendants(roots: set[int]) -> set[int]:
    """`roots` and every process below them, read from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    found = set(roots)
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def kill_machine(*processes: subprocess.Popen) -> None:
    """SIGKILL `processes` and everything they started; wait for the started ones."""
    for pid in descendants({process.pid for process in processes}):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for process in processes:
        process.wait(10)
