"""The WSGI application: routing, TikTok's envelope, and everything applied around an endpoint.

For `/open_api/v1.3/...` every answer is `{code, message, request_id, data}` with HTTP 200 (the
request id is also sent as `X-Tt-Logid`), and each call goes through the same steps, in order:
injected latency → rate limit (40100) → route (40400) → injected error (50000/50002, no work
done) → the endpoint inside one transaction → injected timeout (work done, then a long sleep and
50002) → counted in the stats by endpoint and code. Control (`/sandbox/...`) and HTML pages are
routed by a Werkzeug map; they are never rate-limited and never faulted.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from . import control, pages
from .api import API_PREFIX, ENDPOINTS, ApiContext, ApiError, Handler
from .config import SandboxConfig
from .faults import Fault
from .ids import new_request_id
from .runtime import Runtime
from .webhooks import WebhookSender

log = logging.getLogger("tiktok_sandbox")
DEFAULT_DB_PATH = os.path.join("var", "tiktok_sandbox.sqlite3")
UNKNOWN_ENDPOINT = "unknown"
SITE_MAP = Map([*control.RULES, *pages.RULES])  # rules bind to one map; apps share it


class SandboxApp:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    @property
    def config(self) -> SandboxConfig:
        return self.runtime.config

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith(API_PREFIX + "/"):
            return self.answer_api(request)
        return self.answer_site(request)

    def answer_api(self, request: Request) -> Response:
        rt = self.runtime
        endpoint = request.path[len(API_PREFIX) :]
        handler = ENDPOINTS.get((request.method, endpoint))
        request_id = new_request_id(rt.now_ms())
        try:
            code, message, data = 0, "OK", self._run(handler, request)
        except ApiError as error:
            code, message, data = error.code, error.message, {}
        rt.stats.record(endpoint if handler else UNKNOWN_ENDPOINT, code)
        body = {"code": code, "message": message, "request_id": request_id, "data": data}
        return Response(
            json.dumps(body), mimetype="application/json", headers={"X-Tt-Logid": request_id}
        )

    def answer_site(self, request: Request) -> Response:
        adapter = SITE_MAP.bind_to_environ(request.environ)
        try:
            view, args = adapter.match()
            return view(self.runtime, request, **args)
        except HTTPException as error:
            if request.path.startswith("/sandbox/"):
                return control.error_response(error.code or 500, error.name, error.description)
            return error.get_response()

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        """Wait until queued webhooks have been attempted (tests); False on timeout."""
        return self.runtime.webhooks.flush(timeout)

    def close(self) -> None:
        self.runtime.close()

    def _run(self, handler: Handler | None, request: Request) -> dict[str, Any]:
        rt, config = self.runtime, self.runtime.config
        # TikTok's gateway counts a call when it arrives; `latency_ms` is the time the answer
        # then takes (processing and the way back), as a client sees it.
        admitted = rt.limiter.admit(rt.app_key)
        if config.latency_ms:
            time.sleep(config.latency_ms / 1000)
        if not admitted:
            raise ApiError(40100, "Too many requests: the app's rate limit was exceeded.")
        if handler is None:
            raise ApiError(40400, f"No route for {request.method} {request.path}.")
        fault = rt.faults.roll(config)
        if fault in (Fault.SYS_ERROR, Fault.SYS_TIMEOUT):
            raise ApiError(fault.value, "Injected system error, please retry.")
        data = self._handle(handler, request)
        if fault is Fault.TIMEOUT_AFTER_WORK:
            time.sleep(config.timeout_sleep_s)
            raise ApiError(Fault.SYS_TIMEOUT.value, "Injected timeout (the request was processed).")
        return data

    def _handle(self, handler: Handler, request: Request) -> dict[str, Any]:
        try:
            with self.runtime.transaction() as work:
                return handler(ApiContext(self.runtime, request, work))
        except ApiError:
            raise
        except Exception as exc:
            log.exception("sandbox endpoint failed")
            raise ApiError(50000, f"Sandbox internal error: {type(exc).__name__}") from exc


def create_app(
    db_path: str | None = None,
    config: SandboxConfig | None = None,
    webhook_sender: WebhookSender | None = None,
    monotonic: Callable[[], float] | None = None,
) -> SandboxApp:
    """A sandbox. `db_path=None` uses a private temporary file (removed by `close()`);
    `config=None` reads `SANDBOX_*` environment variables over the defaults;
    `monotonic` drives the rate limiter (tests pass a fake clock)."""
    config = config if config is not None else SandboxConfig.from_env()
    runtime = Runtime(config, db_path, webhook_sender, monotonic or time.monotonic)
    return SandboxApp(runtime)


def serve(
    host: str = "127.0.0.1",
    port: int = 8001,
    db_path: str | None = DEFAULT_DB_PATH,
    config: SandboxConfig | None = None,
) -> None:
    """Run the sandbox on a threaded WSGI server until Ctrl-C or SIGTERM."""
    if db_path and os.path.dirname(db_path):
        os.makedirs(os.path.dirname(db_path), exist_ok=True)
    app = create_app(db_path, config)
    server = make_server(host, port, app, threaded=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(
        f"TikTok sandbox on http://{host}:{server.port}/ (database: {db_path or 'temporary'})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.close()
