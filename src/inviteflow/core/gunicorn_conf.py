"""Gunicorn's settings for the web app under `inviteflow run`:
`gunicorn -c python:inviteflow.core.gunicorn_conf inviteflow.wsgi:application`.

Command-line options still win, so production can reuse it with its own `--bind`/`--workers`.
"""

import ctypes
import gc
import os
import signal
import sys
import threading
import time

from inviteflow.env import env_int, env_str

# Explicit: with PORT set and no bind, gunicorn would listen on 0.0.0.0.
bind = [f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000)}"]
workers = env_int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = 4
# On a stop, workers have this long to finish their requests before the master kills them;
# `inviteflow run` waits a little longer than this before it kills the whole process group.
graceful_timeout = 10
accesslog = "-"
# Django is loaded once, in the master: workers fork ready to serve, so starting (and
# replacing a dead worker) is quicker and they share the loaded code's memory.
preload_app = True
# Recent gunicorn opens a control socket at one path under $HOME for every gunicorn of the
# user: nothing here uses it, and two installations on one machine would fight over it.
control_socket_disable = True

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def when_ready(server) -> None:
    """In the master, the app loaded: load the URLconf too (every view and the API's
    schemas, most of a first request's cost), so that workers fork with it in memory. Then
    freeze what is loaded out of the garbage collector's sight, as Python's gc docs advise
    before forking: workers' collections then leave those pages shared, and the master's
    exit does not walk them (half a second of CPU on every stop)."""
    from django.apps import apps

    if apps.ready:  # the preloaded app is Django's
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 — the loading is the point
    gc.freeze()


def post_fork(server, worker) -> None:
    """In each new worker: end it as soon as its master is gone (see die_with_parent)."""
    die_with_parent(worker.ppid)


def worker_exit(server, worker) -> None:
    """The worker is done (its requests finished, or graceful_timeout used up): end the
    process now, with gunicorn's exit status. The interpreter's own teardown would first wait
    for request threads that may never return, then spend most of a second of CPU freeing
    memory the kernel frees anyway."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status(sys.exc_info()[1]))  # worker_exit runs as gunicorn's SystemExit unwinds


def _exit_status(error: BaseException | None) -> int:
    if isinstance(error, SystemExit):
        code = error.code
        return code if isinstance(code, int) else 0 if code is None else 1
    return 0 if error is None else 1


def die_with_parent(parent: int) -> None:
    """Make this process end when `parent` (the gunicorn master) does.

    Gunicorn's own check is not enough: a worker looks at its parent pid only in its loop,
    between requests, and once it has seen the master go it still waits for its request
    threads, which a blocked request never ends. Meanwhile it keeps the listening socket
    open, and nobody is left to stop it (issue #18).
    On Linux the kernel itself sends SIGKILL when the master ends (PR_SET_PDEATHSIG): nothing
    in the worker has to run for that to happen, not even the interpreter. Elsewhere a daemon
    thread polls the parent pid once a second. A worker that outlives its master serves
    nobody well, so it ends at once, without a grace period.
    """
    if not _kernel_kills_when_parent_ends():
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the master ended before we asked
        os._exit(1)


def _kernel_kills_when_parent_ends() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
