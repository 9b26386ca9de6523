"""Domain events: an app announces a change where it happens, in one line —
`events.emit("post.attributed", post)` — inside the transaction that makes the change.

Outgoing webhooks (the integrations app) sit above every domain app, which therefore cannot
import them: integrations connects its receiver here in its AppConfig.ready(), as the posts
resolver registry is filled. A receiver re-reads the subjects, so passing an instance whose
fields are stale (the row was changed by an UPDATE) is fine. Without a receiver, nothing
happens.
"""

from collections.abc import Callable

from django.db.models import Model

Receiver = Callable[..., None]
_receivers: list[Receiver] = []


def connect(receiver: Receiver) -> None:
    if receiver not in _receivers:
        _receivers.append(receiver)


def emit(event_type: str, *subjects: Model) -> None:
    """Announce `event_type` once for each subject (the row that changed)."""
    for receiver in _receivers:
        receiver(event_type, *subjects)
