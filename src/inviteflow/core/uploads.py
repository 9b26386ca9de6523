"""A server-side cap on multipart uploads: 413 without reading past UPLOAD_MAX_BYTES.

Django receives a whole upload (to memory or a temporary file) before a view can look at
its size. CappedUploadHandler, first in FILE_UPLOAD_HANDLERS, refuses a request whose
Content-Length already exceeds the cap without reading any of it, and stops reading the
moment the files' bytes pass it. UploadLimitMiddleware parses multipart bodies before
anything else does and answers 413 when the handler stopped, so no view sees a cut request.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict

# Room for the form's other fields and the multipart framing around the files.
FORM_ALLOWANCE = 64 * 1024
API_PREFIX = "/api/"


def too_large_message() -> str:
    return f"file: larger than {settings.UPLOAD_MAX_BYTES:,} bytes (UPLOAD_MAX_BYTES)"


class CappedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, *args: Any) -> Any:
        if content_length > settings.UPLOAD_MAX_BYTES + FORM_ALLOWANCE:
            self.mark_too_large()
            return QueryDict(), MultiValueDict()  # parsed as empty: nothing is read
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.mark_too_large()
            raise StopUpload(connection_reset=True)  # stop reading the request here
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file

    def mark_too_large(self) -> None:
        self.request.upload_too_large = True  # type: ignore[union-attr]


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.POST  # noqa: B018 - parse now, through CappedUploadHandler
            if getattr(request, "upload_too_large", False):
                return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    message = too_large_message()
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": "too_large", "message": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
