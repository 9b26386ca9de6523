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


class TooManyIds(InvalidParams):
    """40011: a list parameter held more ids than TikTok takes at once; send fewer per call."""


class NotFound(TikTokError):
    """The object (or the route) does not exist."""


class EndpointUnavailable(TikTokError):
    """This app may not use the endpoint, field or API version at all, whatever the token.

    TikTok did nothing. Neither retrying nor reconnecting helps: the feature that made the
    call should be switched off (with a notice) until inviteflow or the app's access changes.
    Deliberately not a PermissionDenied, which callers answer by revoking the connection.
    """


class VersionError(EndpointUnavailable):
    """40006 (seen live with HTTP 403): the API version or endpoint is not open to this app."""


class EndpointRetired(EndpointUnavailable):
    """41001 / 41002: TikTok took the endpoint, or a field the call uses, offline for good."""


class Throttled(TikTokError):
    """TikTok's per-app rate limit answered; everyone waits out the shared cool-down."""

    retryable = True


class RateLimitTimeout(Throttled):
    """Our own limiter could not grant a slot in time; nothing was sent to TikTok."""


class TransientServerError(TikTokError):
    """TikTok failed internally (or is in maintenance); the same call may work later.

    For a write, TikTok may still have done the work (50002 is a timeout inside TikTok)."""

    retryable = True


class TryAgain(TransientServerError):
    """40201 / 40202: TikTok did nothing this time (task not ready, a concurrent write on the
    same object), so sending the same call again is safe, a write included."""


class ConnectionFailed(TikTokError):
    """No usable answer arrived. Retryable when the request was never sent or is a read."""


class Timeout(ConnectionFailed):
    """The answer did not arrive in time; for a write, TikTok may have done the work."""


class UnexpectedResponse(TikTokError):
    """A success envelope whose data does not fit the schema we rely on."""


# A failed write after which TikTok had certainly done nothing: making it again is safe.
NOTHING_DONE: tuple[type[TikTokError], ...] = (
    Throttled,
    AuthError,
    PermissionDenied,
    EndpointUnavailable,
    TryAgain,
)
_BY_CODE: dict[int, type[TikTokError]] = {
    **dict.fromkeys((40102, 40103, 40104, 40105, 40107, 40110), AuthError),
    **dict.fromkeys((40001, 40003, 40113, 40118, 40125, 40130), PermissionDenied),
    **dict.fromkeys((40000, 40002, 40108), InvalidParams),
    40011: TooManyIds,
    **dict.fromkeys((40007, 40400), NotFound),
    **dict.fromkeys((40006, 40051), VersionError),  # 40051 INVALID_API_VERSION (S2's table)
    **dict.fromkeys((41001, 41002), EndpointRetired),
    # 40016 BIZ_FC_ERROR and 40133 are throttling in public clients too (contract §13)
    **dict.fromkeys((40016, 40100, 40132, 40133, 61000), Throttled),
    **dict.fromkeys((40201, 40202), TryAgain),
    # 40200 GENERAL_TASK_ERROR: TikTok's side failed; a write's outcome is unknown, as for 50000
    **dict.fromkeys((40200, 60001), TransientServerError),
}
# 50xxx system, 51000-51099 RPC / downstream services, 52xxx storage (DB, RDS, TOS) errors
_TRANSIENT_RANGES = (range(50000, 51000), range(51000, 51100), range(52000, 53000))
_BY_STATUS: dict[int, type[TikTokError]] = {
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    429: Throttled,
}
# What a code means for us, where TikTok's own message does not say it (it is kept after).
_MEANING = {
    40006: "This TikTok API version or endpoint is not available to this app"
    " (not a token problem: reconnecting will not help)",
    40051: "This TikTok API version is not available to this app"
    " (not a token problem: reconnecting will not help)",
    41001: "TikTok has taken this endpoint offline; the feature using it cannot work"
    " until inviteflow is updated",
    41002: "TikTok has taken a field this call uses offline; the feature using it cannot work"
    " until inviteflow is updated",
    40011: "Too many ids in one request; send fewer per call",
    40200: "TikTok's task failed on its side; a later attempt may work",
    40201: "TikTok's task is not ready yet; ask again later",
    40202: "Another change to the same object was in progress; TikTok did nothing,"
    " so sending it again is safe",
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
    text = _explained(code, message or f"HTTP {http_status}")
    return cls(code, text, request_id, http_status=http_status)


def _class_for_code(code: int | None) -> type[TikTokError] | None:
    if code is None:
        return None
    if any(code in codes for codes in _TRANSIENT_RANGES):
        return TransientServerError
    return _BY_CODE.get(code)


def _explained(code: int | None, message: str) -> str:
    """TikTok's message, after what the code means for us when TikTok's words may not say it."""
    meaning = _MEANING.get(code) if code is not None else None
    return f"{meaning} (TikTok: {message})" if meaning else message


def transport_error(exc: Exception, *, is_read: bool) -> ConnectionFailed:
    """The exception for an httpx failure; retryable unless a write may have reached TikTok."""
    cls = Timeout if isinstance(exc, outbound.TimeoutException) else ConnectionFailed
    never_sent = isinstance(exc, outbound.NOT_SENT)
    return cls(None, f"{type(exc).__name__}: {exc}", retryable=is_read or never_sent)
