"""Work on a few threads at once: TikTok's and SMTP's latency must not bound throughput."""

import functools
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue
from typing import ParamSpec, TypeVar

from django.db import connection

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def closes_connection(func: Callable[P, R]) -> Callable[P, R]:
    """For work run on a pool thread. Django opens one database connection per thread and
    closes only those of request threads; a pool thread's would stay open (on PostgreSQL,
    holding a server slot) after the pool is gone. The connection is closed when `func` ends."""

    @functools.wraps(func)
    def in_pool_thread(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        finally:
            connection.close()

    return in_pool_thread


def fan_out(work: Callable[[T], R], items: Iterable[T], workers: int, name: str) -> list[R]:
    """`work(item)` for every item, on at most `workers` threads taking items in turn; the
    results in the items' order. With one worker (or one item) it runs in this thread.

    Each thread keeps one database connection for all its items and closes it when it is done
    (a connection per item would be thousands for a big campaign). An item's exception is
    raised here, once every thread has stopped."""
    queue: SimpleQueue[tuple[int, T]] = SimpleQueue()
    for entry in enumerate(items):
        queue.put(entry)
    count = queue.qsize()
    workers = min(workers, count)
    if workers <= 1:
        return [work(item) for _, item in _drained(queue)]
    results: dict[int, R] = {}

    @closes_connection
    def drain() -> None:
        for index, item in _drained(queue):
            results[index] = work(item)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        for done in [pool.submit(drain) for _ in range(workers)]:
            done.result()
    return [results[index] for index in range(count)]


def _drained(queue: "SimpleQueue[tuple[int, T]]") -> Iterable[tuple[int, T]]:
    while True:
        try:
            yield queue.get_nowait()
        except Empty:
            return
