"""How many items the client asks TikTok for in one call, and what TikTok's refusals taught us.

Every page size and id-filter size the client sends is a setting whose default is at or under
the bound TikTok documents or is reported to keep (contract §1.6, §4.3, §5.4, §6.4, §13):

| endpoint | parameter | setting | default |
|---|---|---|---|
| /tto/tcm/creator/public/video/list/ | limit | TIKTOK_VIDEO_LIST_LIMIT | 10 (documented 1–10) |
| /tto/tcm/campaign/ | page_size | TIKTOK_CAMPAIGN_PAGE_SIZE | 5 (reported maximum) |
| /tto/tcm/campaign/link/status/ | page_size | TIKTOK_LINK_STATUS_PAGE_SIZE | 10 (unknown) |
| /tto/tcm/report/ | page_size | TIKTOK_REPORT_PAGE_SIZE | 10 (unknown) |
| /tcm/order/get/v2/ | page_size | TIKTOK_ORDER_PAGE_SIZE | 10 (documented 1–20) |
| any of them | campaign_ids, video_ids | TIKTOK_IDS_PER_CALL | 10 (unknown) |

Where a bound is unknown, TikTok's answer decides. A refused list call points at a size
(`refusal`) when:

- it is a 40011 ID_LIMIT_EXCEED: the id filter its message names, else the only id filter that
  carried more than one id;
- it is a 40002 PARAM_ERROR whose message names `page_size` or `limit` first among the call's
  sizes: the client always sends a positive integer there, so only "too big" is left;
- it is a 40002 whose message names an id filter first and speaks of a count ("at most 20
  items", "exceeds the maximum"): one about an id itself (malformed, unknown) is not about size,
  and a smaller call cannot fix it.

Nothing points at a size of 1 (there is nothing smaller to try), and a 40002 that points at no
size is raised as before. A refusal halves the size that was sent (at least 1); the half is
remembered in LearnedLimit for every process (a size only ever goes down), read here through a
short in-process cache, and shown on the TikTok connection page. A row can be deleted in the
admin to go back to the setting.
"""

import functools
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from inviteflow.tiktok.errors import TikTokError
from inviteflow.tiktok.models import LearnedLimit

VIDEO_LIST = "/tto/tcm/creator/public/video/list/"
CAMPAIGNS = "/tto/tcm/campaign/"
LINK_STATUS = "/tto/tcm/campaign/link/status/"
REPORT = "/tto/tcm/report/"
ORDERS = "/tcm/order/get/v2/"

PAGE_SIZE, LIMIT = "page_size", "limit"
CAMPAIGN_IDS, VIDEO_IDS = "campaign_ids", "video_ids"
PAGE_SIZES = frozenset({PAGE_SIZE, LIMIT})
ID_FILTERS = frozenset({CAMPAIGN_IDS, VIDEO_IDS})

SETTINGS: dict[tuple[str, str], str] = {
    (VIDEO_LIST, LIMIT): "TIKTOK_VIDEO_LIST_LIMIT",
    (VIDEO_LIST, VIDEO_IDS): "TIKTOK_IDS_PER_CALL",
    (CAMPAIGNS, PAGE_SIZE): "TIKTOK_CAMPAIGN_PAGE_SIZE",
    (CAMPAIGNS, CAMPAIGN_IDS): "TIKTOK_IDS_PER_CALL",
    (LINK_STATUS, PAGE_SIZE): "TIKTOK_LINK_STATUS_PAGE_SIZE",
    (LINK_STATUS, CAMPAIGN_IDS): "TIKTOK_IDS_PER_CALL",
    (REPORT, PAGE_SIZE): "TIKTOK_REPORT_PAGE_SIZE",
    (ORDERS, PAGE_SIZE): "TIKTOK_ORDER_PAGE_SIZE",
}

PARAM_ERROR, ID_LIMIT_EXCEED = 40002, 40011
COUNT_WORDS = re.compile(
    r"at most|max|exceed|too many|too long|no more than|more than|up to|limit|length|count"
    r"|number of|items",
    re.IGNORECASE,
)
CACHE_SECONDS = 30.0  # a size learned by another process is used here within this


def configured(endpoint: str, parameter: str) -> int:
    """The setting's size for `parameter` on `endpoint` (read at each call: tests change it)."""
    return int(getattr(settings, SETTINGS[(endpoint, parameter)]))


@dataclass(frozen=True)
class Refusal:
    """TikTok refused `sent` items for `parameter`; `smaller` is what to send instead."""

    parameter: str
    sent: int

    @property
    def smaller(self) -> int:
        return max(1, self.sent // 2)


def refusal(exc: TikTokError, sent: Mapping[str, int]) -> Refusal | None:
    """The size a refused list call points at (the module's rule), or None.

    `sent` holds the call's sizes: parameter → items asked for (a page size, ids in a filter)."""
    shrinkable = {name: count for name, count in sent.items() if count > 1}
    named = _named(exc.message, shrinkable)
    parameter = None
    if exc.code == ID_LIMIT_EXCEED:
        filters = [name for name in named if name in ID_FILTERS]
        carried = [name for name in shrinkable if name in ID_FILTERS]
        parameter = filters[0] if filters else (carried[0] if len(carried) == 1 else None)
    elif exc.code == PARAM_ERROR and named:
        about_count = named[0] in PAGE_SIZES or COUNT_WORDS.search(exc.message) is not None
        parameter = named[0] if about_count else None
    return Refusal(parameter, shrinkable[parameter]) if parameter else None


def _named(message: str, names: Mapping[str, int]) -> list[str]:
    """The `names` that `message` mentions as whole words, in the order it mentions them."""
    found = {}
    for name in names:
        match = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message, re.IGNORECASE)
        if match:
            found[name] = match.start()
    return sorted(found, key=found.__getitem__)


class SizeBook(Protocol):
    """Where the client reads the size to send and writes what a refusal taught."""

    def current(self, endpoint: str, parameter: str) -> int: ...
    def learn(
        self, endpoint: str, parameter: str, size: int, refused: int, message: str
    ) -> None: ...
    def confirm(self, endpoint: str, parameter: str, size: int) -> None: ...


class LocalSizes:
    """What one client learned, kept by that client only (clients made without the shared
    book: tools and tests)."""

    def __init__(self) -> None:
        self._learned: dict[tuple[str, str], int] = {}

    def current(self, endpoint: str, parameter: str) -> int:
        size = configured(endpoint, parameter)
        return min(size, self._learned.get((endpoint, parameter), size))

    def learn(self, endpoint: str, parameter: str, size: int, refused: int, message: str) -> None:
        key = (endpoint, parameter)
        self._learned[key] = min(size, self._learned.get(key, size))

    def confirm(self, endpoint: str, parameter: str, size: int) -> None:
        """Nothing to record: only the shared book shows what was confirmed."""


class SharedSizes:
    """What any process learned, in the database; each process reads it through a cache of
    `ttl` seconds, so calls do not each cost a query. Safe to use from several threads."""

    def __init__(
        self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self._clock = ttl, clock
        self._lock = threading.Lock()
        self._learned: dict[tuple[str, str], int] = {}
        self._read_at: float | None = None

    def current(self, endpoint: str, parameter: str) -> int:
        size = configured(endpoint, parameter)
        return min(size, self._cached().get((endpoint, parameter), size))

    def learn(self, endpoint: str, parameter: str, size: int, refused: int, message: str) -> None:
        remember(endpoint, parameter, size, refused, message)
        with self._lock:
            key = (endpoint, parameter)
            self._learned[key] = min(size, self._learned.get(key, size))

    def confirm(self, endpoint: str, parameter: str, size: int) -> None:
        LearnedLimit.objects.filter(endpoint=endpoint, parameter=parameter, size=size).update(
            confirmed=True
        )

    def forget(self) -> None:
        """Drop the cache: the next call reads the database."""
        with self._lock:
            self._read_at = None

    def _cached(self) -> dict[tuple[str, str], int]:
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self.ttl:
                rows = LearnedLimit.objects.values_list("endpoint", "parameter", "size")
                self._learned = {(endpoint, parameter): size for endpoint, parameter, size in rows}
                self._read_at = now
            return self._learned


@functools.cache
def shared() -> SharedSizes:
    """The process's book of learned sizes, used by every client made from settings."""
    return SharedSizes()


def remember(endpoint: str, parameter: str, size: int, refused: int, message: str) -> None:
    """Record that TikTok refused `refused` items and `size` is sent instead (only ever less)."""
    values = {
        "size": size,
        "refused": refused,
        "message": message[:1000],
        "confirmed": False,
        "learned_at": timezone.now(),
    }
    row, created = LearnedLimit.objects.get_or_create(
        endpoint=endpoint, parameter=parameter, defaults=values
    )
    if not created:
        LearnedLimit.objects.filter(pk=row.pk, size__gt=size).update(**values)


def learned() -> QuerySet[LearnedLimit]:
    """Every learned size, for the TikTok connection page."""
    return LearnedLimit.objects.order_by("endpoint", "parameter")
