"""Does a creator's public post look like content for one of their campaigns? Pure functions.

A post is flagged when it is *undisclosed* and carries a brand signal inside a campaign's
window. The signals (each flag keeps which ones fired):
- one of the campaign's hashtags;
- one of the workspace's brand names in the caption ("Demo Brand glow"), in any case, or
  as a hashtag (#demobrand);
- one of the brand's @handles, in `mentioned_accounts` or as "@brand" in the caption;
- a disclosure keyword (#ad, #sponsored, #partner, …) is listed with them, but alone it
  flags nothing: creators post for other brands too.
Brand names, handles and keywords are the workspace's (Settings → Compliance signals); by
default its name, slug and TikTok One account name.

`collaboration_status` PAID_PARTNERSHIP means the branded-content toggle is on: TikTok
shows it for linked posts, and a post published through one of our invite links shows it
at once, about 48 h before TikTok reports it to the brand. Such a post is disclosed, so
TikTok will not take it down; it is never flagged ("why is my post missing" explains it
when it does not arrive). Posts without markers (personal posts, other brands' #ad posts)
are never flagged.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from inviteflow.posts.diagnosis import PAID_PARTNERSHIP
from inviteflow.posts.services import hashtags_of, parse_create_time
from inviteflow.tiktok import schemas

_MENTION = re.compile(r"@([A-Za-z0-9_.]+)")
_NOT_HANDLE = re.compile(r"[^a-z0-9_.]")


@dataclass(frozen=True)
class PublicVideo:
    """What the scan needs of one post in TikTok's public post list (§4.3)."""

    video_id: str
    published_at: datetime | None
    hashtags: tuple[str, ...]  # lower-case, without '#', in caption order
    mentions: frozenset[str]
    disclosed: bool  # branded-content toggle on
    caption: str = ""


@dataclass(frozen=True)
class Window:
    """One campaign the creator is on: its hashtags and dates (end exclusive)."""

    campaign_id: int
    hashtags: frozenset[str]
    starts: datetime
    ends: datetime


CAMPAIGN_HASHTAG, BRAND_NAME, BRAND_HANDLE, DISCLOSURE = (
    "campaign_hashtag",
    "brand_name",
    "brand_handle",
    "disclosure",
)
SIGNAL_LABELS = {
    CAMPAIGN_HASHTAG: "campaign hashtag",
    BRAND_NAME: "brand name",
    BRAND_HANDLE: "brand @handle",
    DISCLOSURE: "disclosure keyword",
}
DEFAULT_DISCLOSURES = ("ad", "ads", "sponsored", "partner", "paidpartnership", "collab", "gifted")


@dataclass(frozen=True)
class Signals:
    """The workspace's own signals, besides each campaign's hashtags."""

    names: tuple[str, ...] = ()  # as written: "Demo Brand"
    handles: frozenset[str] = frozenset()  # lower-case, without '@'
    disclosures: frozenset[str] = frozenset()  # lower-case, without '#'


@dataclass(frozen=True)
class Signal:
    kind: str  # CAMPAIGN_HASHTAG, BRAND_NAME, BRAND_HANDLE or DISCLOSURE
    value: str  # as shown: "#springglow", "Demo Brand", "@demobrand", "#sponsored"

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value, "label": SIGNAL_LABELS[self.kind]}


@dataclass(frozen=True)
class Match:
    campaign_id: int
    signals: list[Signal]

    @property
    def markers(self) -> list[str]:
        return [signal.value for signal in self.signals]


def public_video(item: schemas.Post) -> PublicVideo:
    mentions = [*item.mentioned_accounts, *_MENTION.findall(item.caption)]
    return PublicVideo(
        video_id=item.video_id,
        published_at=parse_create_time(item.create_time),
        hashtags=tuple(hashtags_of(item)),
        mentions=frozenset(filter(None, (handle_of(m) for m in mentions))),
        disclosed=item.collaboration_status == PAID_PARTNERSHIP,
        caption=item.caption,
    )


def handle_of(name: str) -> str:
    """ "Acme Co." → "acmeco": how a brand's name looks as a TikTok handle."""
    return _NOT_HANDLE.sub("", name.strip().lstrip("@").lower()).rstrip(".")


def brand_handles(names: Iterable[str]) -> frozenset[str]:
    return frozenset(filter(None, (handle_of(name) for name in names)))


def window(
    campaign_id: int, hashtags: Iterable[str], starts_on: date, ends_on: date, zone: tzinfo
) -> Window:
    return Window(
        campaign_id,
        frozenset(tag.lower() for tag in hashtags),
        datetime.combine(starts_on, time.min, zone),
        datetime.combine(ends_on + timedelta(days=1), time.min, zone),
    )


def match(video: PublicVideo, windows: Iterable[Window], signals: Signals) -> Match | None:
    """The campaign this undisclosed post seems made for (most hashtags, then latest start)."""
    if video.disclosed or video.published_at is None:
        return None
    brand = brand_signals(video, signals)
    best: tuple[tuple[int, datetime], Match] | None = None
    for candidate in windows:
        if not candidate.starts <= video.published_at < candidate.ends:
            continue
        tags = sorted(candidate.hashtags.intersection(video.hashtags))
        found = [Signal(CAMPAIGN_HASHTAG, f"#{tag}") for tag in tags] + brand
        rank = (len(tags), candidate.starts)
        if found and (best is None or rank > best[0]):
            disclosed = _disclosures(video, signals.disclosures - set(tags))
            best = (rank, Match(candidate.campaign_id, found + disclosed))
    return best[1] if best else None


def brand_signals(video: PublicVideo, signals: Signals) -> list[Signal]:
    """The brand's names and @handles the post carries."""
    found = [Signal(BRAND_NAME, name) for name in signals.names if _names(video, name)]
    found += [Signal(BRAND_HANDLE, f"@{h}") for h in sorted(signals.handles & video.mentions)]
    return found


def _names(video: PublicVideo, name: str) -> bool:
    """The name in the caption as words, in any case, or as a hashtag (#demobrand)."""
    words = re.compile(rf"(?<![\w@#]){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
    return bool(words.search(video.caption)) or handle_of(name) in video.hashtags


def _disclosures(video: PublicVideo, keywords: Iterable[str]) -> list[Signal]:
    wanted = set(keywords)
    return [Signal(DISCLOSURE, f"#{tag}") for tag in video.hashtags if tag in wanted]


# -- What a scan reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One creator to read: back to `since`, or only up to what the last scan read."""

    creator_id: int
    handle: str
    since: datetime
    covered_since: datetime | None = None
    stop_id: str = ""
    stop_at: datetime | None = None

    @property
    def incremental(self) -> bool:
        return self.covered_since is not None and self.covered_since <= self.since


@dataclass
class Read:
    target: Target
    videos: list[PublicVideo] = field(default_factory=list)
    newest: PublicVideo | None = None
    calls: int = 0
    complete: bool = False  # met what was read before, the window start, or the end
    error: str = ""
