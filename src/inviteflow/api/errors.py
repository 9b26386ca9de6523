"""Every API error is JSON: a machine-readable `code` and a human `message`."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from inviteflow.api.auth import ReadOnlyKey


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: object
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "reason": " ".join(e.messages)}
            for field, errors in exc.error_dict.items()
            for e in errors
        ]
    return [{"field": "", "reason": m} for m in exc.messages]


def _ninja_field_errors(exc: NinjaValidationError) -> list[dict[str, str]]:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc), "reason": err.get("msg", "invalid")})
    return errors


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, **exc.extra)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "unauthorized", "Missing or unknown API key.")

    @api.exception_handler(ReadOnlyKey)
    def read_only(request: HttpRequest, exc: ReadOnlyKey) -> HttpResponse:
        return error_response(api, request, 403, "read_only_key", "This API key is read-only.")

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _field_errors(exc)
        message = "; ".join(
            f"{e['field']}: {e['reason']}" if e["field"] else e["reason"] for e in errors
        )
        return error_response(api, request, 422, "invalid", message, errors=errors)

    @api.exception_handler(NinjaValidationError)
    def invalid_shape(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = _ninja_field_errors(exc)
        message = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return error_response(api, request, 422, "invalid", message, errors=errors)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, "error", str(exc))
