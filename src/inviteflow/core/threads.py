"""Database work on pool threads."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connection

P = ParamSpec("P")
R = TypeVar("R")


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
