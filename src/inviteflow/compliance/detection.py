"""Does a creator's public post look like content for one of their campaigns? Pure functions.

A post is flagged when it is *undisclosed* and carries a campaign marker inside that
campaign's window:
- one of the campaign's hashtags, or
- a mention of the brand (the workspace's name or slug, or the TikTok One account name,
  as a handle in `mentioned_accounts` or as "@brand" in the caption).

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


@dataclass(frozen=True)
class Match:
    campaign_id: int
    markers: list[str]


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


def match(video: PublicVideo, windows: Iterable[Window], brand: frozenset[str]) -> Match | None:
    """The campaign this undisclosed post seems made for (most hashtags, then latest start)."""
    if video.disclosed or video.published_at is None:
        return None
    mentions = [f"@{handle}" for handle in sorted(brand & video.mentions)]
    best: tuple[tuple[int, datetime], Match] | None = None
    for candidate in windows:
        if not candidate.starts <= video.published_at < candidate.ends:
            continue
        tags = sorted(candidate.hashtags.intersection(video.hashtags))
        markers = [f"#{tag}" for tag in tags] + mentions
        rank = (len(tags), candidate.starts)
        if markers and (best is None or rank > best[0]):
            best = (rank, Match(candidate.campaign_id, markers))
    return best[1] if best else None


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
