"""Input no database should see, refused at the edge with a 4xx naming the field.

- NUL characters: PostgreSQL refuses them in text, SQLite stores them; refusing them here
  makes both databases behave alike.
- Lone surrogates (`"\\ud800"` in JSON): not text at all; encoding them fails on both.
- Integers past 64 bits in query strings: every integer column is 64-bit at most; SQLite
  raises OverflowError on a larger one.

Checked: every query string (UI and API) and the JSON body of API requests. The API
answers 422 `{code, message, errors}` like its other validation errors; pages answer 400.
Django forms already refuse NUL in their fields.
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

INT64_MAX = 2**63 - 1
API_PREFIX = "/api/"
DIGITS = re.compile(r"[+-]?\d+")


def text_problem(text: str) -> str:
    """Why `text` cannot be stored ("" when it can)."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which text may not hold"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (\\ud800–\\udfff), which is not text"
    return ""


def number_problem(number: int) -> str:
    if -INT64_MAX - 1 <= number <= INT64_MAX:
        return ""
    return f"a number past 64 bits (at most {INT64_MAX})"


def query_problems(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for name, values in request.GET.lists():
        for value in (name, *values):
            reason = text_problem(value)
            if not reason and DIGITS.fullmatch(value) and len(value) > 18:
                reason = number_problem(int(value))
            if reason:
                yield name, reason
                break


def json_problems(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, reason) for every string or integer in a JSON document a database
    would refuse; fields are named like `creator_ids.1` or `nested.key`."""
    if isinstance(value, str):
        reason = text_problem(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        reason = number_problem(value)
    else:
        reason = ""
    if reason:
        yield path, reason
    if not isinstance(value, dict | list):
        return
    for key, item in value.items() if isinstance(value, dict) else enumerate(value):
        key_problem = text_problem(key) if isinstance(key, str) else ""
        if key_problem:
            key = json.dumps(key)[1:-1]  # named with its escapes, as the client wrote it
            yield (f"{path}.{key}" if path else key), key_problem
            continue
        yield from json_problems(item, f"{path}.{key}" if path else str(key))


def body_problems(request: HttpRequest) -> Iterator[tuple[str, str]]:
    if request.content_type != "application/json" or not request.body:
        return
    try:
        document = json.loads(request.body)
    except (ValueError, RecursionError):
        return  # not JSON: the API's own parsing says so
    yield from json_problems(document)


def refusal(request: HttpRequest, problems: list[tuple[str, str]]) -> HttpResponse:
    message = "; ".join(f"{field}: {reason}" for field, reason in problems)
    if not request.path.startswith(API_PREFIX):
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    errors = [{"field": field, "reason": reason} for field, reason in problems]
    return JsonResponse({"code": "invalid", "message": message, "errors": errors}, status=422)


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = list(query_problems(request))
        if not problems and request.path.startswith(API_PREFIX):
            problems = list(body_problems(request))
        if problems:
            return refusal(request, problems)
        return self.get_response(request)
