"""The TikTok exception hierarchy, and the one place answers are mapped onto it.

TikTok reports business errors as HTTP 200 with a non-zero envelope `code` (contract §1.3,
§2.1), occasionally as a non-2xx status that still carries an envelope (HTTP 403 + 40006), and
proxies in between may answer with no envelope at all. `error_for` turns any of those into one
exception carrying code, message and request id, flagged `retryable` when the same call may
succeed later. Callers react to the class; nobody else inspects codes.
"""

from inviteflow import outbound


class TikTokError(Exception):
    """Any failed TikTok call. `code` is TikTok's envelope code (None when there was none)."""

    retryable = False

    def __init__(
        self,
        code: int | None,
        message: str,
        request_id: str | None = None,
        *,
        retryable: bool | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}" if code is not None else message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        if retryable is not None:
            self.retryable = retryable

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, request_id={self.request_id!r})"


class AuthError(TikTokError):
    """The token or auth code is missing, expired, revoked or wrong: reconnect the workspace."""


class PermissionDenied(TikTokError):
    """The token works but may not touch this account, feature or scope."""


class InvalidParams(TikTokError):
    """TikTok rejected a parameter; sending the same request again cannot help."""


class NotFound(TikTokError):
    """The object (or the route) does not exist."""


class Throttled(TikTokError):
    """TikTok's per-app rate limit answered; everyone waits out the shared cool-down."""

    retryable = True


class RateLimitTimeout(Throttled):
    """Our own limiter could not grant a slot in time; nothing was sent to TikTok."""


class TransientServerError(TikTokError):
    """TikTok failed internally (or is in maintenance); the same call may work later."""

    retryable = True


class ConnectionFailed(TikTokError):
    """No usable answer arrived. Retryable when the request was never sent or is a read."""


class Timeout(ConnectionFailed):
    """The answer did not arrive in time; for a write, TikTok may have done the work."""


class UnexpectedResponse(TikTokError):
    """A success envelope whose data does not fit the schema we rely on."""


_BY_CODE: dict[int, type[TikTokError]] = {
    **dict.fromkeys((40102, 40103, 40104, 40105, 40107, 40110), AuthError),
    **dict.fromkeys((40001, 40003, 40113, 40118, 40125, 40130), PermissionDenied),
    **dict.fromkeys((40000, 40002, 40011, 40108), InvalidParams),
    **dict.fromkeys((40007, 40400), NotFound),
    **dict.fromkeys((40100, 40132, 61000), Throttled),
    **dict.fromkeys((50000, 50002, 60001), TransientServerError),
}
_BY_STATUS: dict[int, type[TikTokError]] = {
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    429: Throttled,
}
# 20001 PARTIAL_OK still carries data (a created object must not look like a failure).
SUCCESS_CODES = frozenset({0, 20001})


def error_for(
    http_status: int, code: int | None, message: str, request_id: str | None
) -> TikTokError:
    """The exception for a TikTok answer: by envelope code first, then by HTTP status."""
    cls = _class_for_code(code) or _BY_STATUS.get(http_status)
    if cls is None:
        cls = TransientServerError if http_status >= 500 else TikTokError
    return cls(code, message or f"HTTP {http_status}", request_id, http_status=http_status)


def _class_for_code(code: int | None) -> type[TikTokError] | None:
    if code is None:
        return None
    if 51000 <= code <= 51099:  # RPC / downstream service errors
        return TransientServerError
    return _BY_CODE.get(code)


def transport_error(exc: Exception, *, is_read: bool) -> ConnectionFailed:
    """The exception for an httpx failure; retryable unless a write may have reached TikTok."""
    cls = Timeout if isinstance(exc, outbound.TimeoutException) else ConnectionFailed
    never_sent = isinstance(exc, outbound.NOT_SENT)
    return cls(None, f"{type(exc).__name__}: {exc}", retryable=is_read or never_sent)
