"""Every API error is JSON: a machine-readable `code` and a human `message` — a 500 too."""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from inviteflow.api.auth import ReadOnlyKey

logger = logging.getLogger("django.request")
SERVER_ERROR_MESSAGE = "Something went wrong on our side; it has been logged."

# Documented on every operation (an operation may document more, e.g. 409 or 503).
ERROR_RESPONSES = {
    401: "Missing or unknown API key.",
    403: "A read-only key tried to change something.",
    404: "No such object in this key's workspace (another workspace's id is a 404 too).",
    422: "Invalid input: `errors` names each field and the reason.",
}


# Answers Django gives before (or instead of) the API's own handlers, as the API's codes.
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


class JsonErrorsMiddleware:
    """Every error under /api/ is JSON: a path no route matches (404), a method it does not
    take (405), a request Django refused (400) or a crash outside the API's handlers (500)
    would otherwise get Django's HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _as_json(response.status_code)
        return response


def _as_json(status: int) -> HttpResponse:
    message = HTTPStatus(status).phrase + "."
    if status >= 500:
        message = SERVER_ERROR_MESSAGE
    code = CODES.get(status, "server_error" if status >= 500 else "error")
    return JsonResponse({"code": code, "message": message}, status=status)


class FieldError(Schema):
    field: str
    reason: str


class Error(Schema):
    """Every error answer: `code` for programs, `message` for people, `errors` per field (422)."""

    code: str
    message: str
    errors: list[FieldError] | None = None


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document gives every operation its error answers."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))


def document_errors(schema: Any) -> Any:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error.pop("$defs", {}))
    components["Error"] = error
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            errors = dict(ERROR_RESPONSES)
            if "requestBody" in operation:
                errors[400] = "The body could not be read (not JSON, or not the declared type)."
            for status, description in sorted(errors.items()):
                operation["responses"].setdefault(
                    status, {"description": description, "content": content}
                )
    return schema


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

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        """Logged like Django logs a 500; the client learns nothing of the cause."""
        logger.error("Internal Server Error: %s", request.path, exc_info=exc)
        return error_response(api, request, 500, "server_error", SERVER_ERROR_MESSAGE)
