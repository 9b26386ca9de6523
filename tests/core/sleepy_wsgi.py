"""A WSGI app for tests/core/test_run_supervisor.py: `/sleep` blocks its request for a minute
(after touching the file named by SLEEPY_MARKER, so the test knows it is inside); any other
path answers at once. It lives here so that inviteflow itself has no such page."""

import os
import time
from pathlib import Path


def application(environ, start_response):
    if environ["PATH_INFO"] == "/sleep":
        Path(os.environ["SLEEPY_MARKER"]).touch()
        time.sleep(60)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]
