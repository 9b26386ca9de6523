"""Finding the TikTok objects of links whose create had an unknown outcome.

TikTok's campaign list has no filter by name or marker, at most 5 objects a page and an
undocumented order (contract §5.4). Reading it whole costs the account's history: 3,000
objects are 600 calls. So we read only the slice of it where the unsure objects can be:

- An *anchor* is a link of ours whose object TikTok confirmed before any unsure create was
  attempted. Its `create_time` (read by id, one call) is the slice's lower end, and the
  difference between it and when we recorded it calibrates TikTok's clock against ours
  (time zone and skew included). The upper end is the last unsure attempt plus the client's
  timeout and a margin, on TikTok's clock.
- Page 1 and the last page tell the list's direction by `create_time`; a binary search over
  pages finds the slice's first page, and pages are read from there until past its end.
- Every page read must agree with one creation order, or the slice proves nothing: then, as
  without an anchor, the whole list is read (the old, always-correct way).

Objects are only ever added, so pages read a little apart in time skip nothing: in a
newest-first list a new object pushes older ones to later pages (seen twice, not missed); in
an oldest-first list it is appended at the end.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from inviteflow.core.threads import fan_out
from inviteflow.links.models import InviteLink
from inviteflow.tiktok import errors, names
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.schemas import Campaign as TikTokCampaign
from inviteflow.tiktok.schemas import CampaignPage

PAGE_PATIENCE = 5  # attempts per page: at 20 % errors a long read would rarely finish
SMALL_LIST_PAGES = 8  # a list this short is read whole: a slice would not save calls
SLICE_MARGIN = timedelta(minutes=2)  # whole-second create_time, latency and clock drift
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Sweep:
    """The objects read, indexed by marker and by name (links whose intent predates markers)."""

    by_ref: dict[str, TikTokCampaign] = field(default_factory=dict)
    by_name: dict[str, TikTokCampaign] = field(default_factory=dict)
    complete: bool = True  # whatever is not in it does not exist on TikTok
    calls: int = 0  # list pages read: recovery's cost

    def find(self, link: InviteLink) -> TikTokCampaign | None:
        if link.tiktok_ref:
            return self.by_ref.get(link.tiktok_ref)
        return self.by_name.get(link.tiktok_campaign_name)


class Pages:
    """The account's CAMPAIGN list, page by page, each page read once."""

    def __init__(self, client: TikTokClient, account_id: str) -> None:
        self.client, self.account_id = client, account_id
        self.read: dict[int, CampaignPage] = {}

    def get(self, number: int) -> CampaignPage:
        if number not in self.read:
            self.read[number] = self._with_patience(number)
        return self.read[number]

    def get_many(self, numbers: Iterable[int]) -> list[CampaignPage]:
        todo = [n for n in numbers if n not in self.read]
        fan_out(self.get, todo, settings.LINK_PROVISIONING_CONCURRENCY, "lookup")
        return [self.read[n] for n in numbers]

    def _with_patience(self, number: int) -> CampaignPage:
        fetch = _page_reader(self.client, self.account_id, number)
        for _ in range(PAGE_PATIENCE - 1):
            try:
                return fetch()
            except (errors.TransientServerError, errors.ConnectionFailed):
                continue
        return fetch()  # the last attempt's failure reaches the caller


def _page_reader(client: TikTokClient, account_id: str, number: int) -> Callable[[], CampaignPage]:
    return lambda: client.campaigns_page(account_id, campaign_type="CAMPAIGN", page=number)


def find_objects(
    client: TikTokClient, account_id: str, unsure: Sequence[InviteLink], anchor: InviteLink | None
) -> Sweep:
    """The objects TikTok may have made for `unsure` links (see the module's docstring)."""
    pages = Pages(client, account_id)
    total = pages.get(1).page_info.total_page
    bounds = _slice_bounds(client, account_id, unsure, anchor) if total > SMALL_LIST_PAGES else None
    if bounds is not None:
        sweep = _read_slice(pages, total, *bounds)
        if sweep is not None:
            return sweep
    return _read_all(pages, total)


def _slice_bounds(
    client: TikTokClient, account_id: str, unsure: Sequence[InviteLink], anchor: InviteLink | None
) -> tuple[datetime, datetime] | None:
    """(lower, upper) on TikTok's clock, or None when there is no usable anchor."""
    if anchor is None or anchor.provisioned_at is None:
        return None
    found = list(client.campaigns(account_id, campaign_ids=[anchor.tiktok_campaign_id]))
    created = _time(found[0]) if found else None
    if created is None:
        return None
    offset = created - anchor.provisioned_at.replace(tzinfo=None)
    last_attempt = max(link.attempted_at for link in unsure if link.attempted_at is not None)
    in_flight = timedelta(seconds=settings.TIKTOK_TIMEOUT_S) + SLICE_MARGIN
    return created, last_attempt.replace(tzinfo=None) + offset + in_flight


def _read_slice(pages: Pages, total: int, lower: datetime, upper: datetime) -> Sweep | None:
    """The pages between `lower` and `upper`; None when the list is not in creation order.

    Pages are always read in increasing number: in a newest-first list, objects added meanwhile
    push older ones to higher numbers, so reading that way sees some twice and misses none."""
    ends = (_times(pages.get(1)), _times(pages.get(total)))
    if not ends[0] or not ends[1] or ends[0][0] == ends[1][-1]:
        return None
    oldest_first = ends[0][0] < ends[1][-1]
    if oldest_first:
        before, past = (lambda t: t[-1] < lower), (lambda t: t[-1] > upper)
    else:
        before, past = (lambda t: t[0] > upper), (lambda t: t[0] < lower)
    start = _first_page(pages, total, before)
    number = start
    while number <= _last_page(pages):
        chunk = range(number, min(_last_page(pages), number + _concurrency() - 1) + 1)
        number = chunk[-1] + 1
        if any(past(_times(page)) for page in pages.get_many(chunk)):
            break
    if not _in_creation_order(pages, oldest_first):
        return None
    return _sweep([pages.read[n] for n in range(start, number)], len(pages.read))


def _first_page(pages: Pages, total: int, before: Callable[[list[datetime]], bool]) -> int:
    """The first page not wholly before the slice (pages are in creation order)."""
    low, high = 1, total
    while low < high:
        middle = (low + high) // 2
        times = _times(pages.get(middle))
        if times and before(times):
            low = middle + 1
        else:
            high = middle
    return low


def _last_page(pages: Pages) -> int:
    return max(page.page_info.total_page for page in pages.read.values())


def _concurrency() -> int:
    return max(1, settings.LINK_PROVISIONING_CONCURRENCY)


def _in_creation_order(pages: Pages, oldest_first: bool) -> bool:
    """Every page read agrees with one order by `create_time` (ties allowed)."""
    if any(page.campaigns and not _times(page) for page in pages.read.values()):
        return False  # an object without a readable create_time: its place is unknown
    times = [
        t for n in sorted(pages.read) for t in _times(pages.read[n])[:: 1 if oldest_first else -1]
    ]
    return times == sorted(times, reverse=not oldest_first)


def _times(page: CampaignPage) -> list[datetime]:
    """The page's create times, oldest first, or [] when one is missing or unreadable."""
    times = [_time(obj) for obj in page.campaigns]
    if None in times:
        return []
    return sorted(t for t in times if t is not None)


def _time(obj: TikTokCampaign) -> datetime | None:
    try:
        return datetime.strptime(obj.create_time, TIME_FORMAT)
    except ValueError:
        return None


def _read_all(pages: Pages, total: int) -> Sweep:
    """Every page, side by side. TikTok does not document the list's order, so this only proves
    an object absent if the object count did not change while the pages were read."""
    count = pages.get(1).page_info.total_number
    read = pages.get_many(range(1, total + 1))
    sweep = _sweep(read, len(pages.read))
    sweep.complete = all(page.page_info.total_number == count for page in read)
    return sweep


def _refs(obj: TikTokCampaign) -> set[str]:
    return names.refs_in(obj.campaign_name, obj.campaign_description)


def _sweep(read: Iterable[CampaignPage], calls: int) -> Sweep:
    objects = [obj for page in read for obj in page.campaigns]
    by_ref = {
        ref: obj
        for obj in objects
        for ref in names.refs_in(obj.campaign_name, obj.campaign_description)
    }
    return Sweep(by_ref, {obj.campaign_name: obj for obj in objects}, True, calls)
