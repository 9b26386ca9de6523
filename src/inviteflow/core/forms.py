"""Forms that hand their values to a service."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.forms import Form

T = TypeVar("T")


def saved(form: Form, save: Callable[[dict[str, Any]], T]) -> T | None:
    """`save(form.cleaned_data)` when the form is bound and valid; None otherwise, or when the
    service refuses: its ValidationError lands on the form, next to the fields it names."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
