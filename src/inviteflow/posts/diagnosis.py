""" "Why is my post missing?" for a creator who still owes posts. A pure function.

The answer comes from what TikTok reports: the creator's recent public posts (with
`collaboration_status` PAID_PARTNERSHIP when the branded-content toggle is on, i.e. the
post is linked to some campaign) and the posts TikTok attributed to this campaign, set
against the creator's invite links. TikTok does not tell a brand when a creator joins a
campaign, so a first linked post is the first sign that they did.

Reasons, most actionable first (the first one is shown as the status):
  no_link              no invite link yet (provisioning pending or failed)
  not_surfaced         published with the toggle on, younger than TikTok's reporting delay
  posted_without_link  a post with the campaign's hashtags but not linked (→ compliance)
  outside_window       attributed posts published outside the campaign dates
  failed_requirements  attributed posts missing hashtags or of the wrong type
  linked_elsewhere     toggle on, older than the delay, yet not on this campaign
  nothing_published    joined (has linked posts), nothing new since
  not_joined           nothing through the link yet
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from inviteflow.posts.checks import FAIL

PAID_PARTNERSHIP = "PAID_PARTNERSHIP"
LABELS = {
    "no_link": "No invite link yet",
    "not_surfaced": "Published, not yet reported by TikTok",
    "posted_without_link": "Posted without the link",
    "outside_window": "Published outside the dates",
    "failed_requirements": "Does not meet the requirements",
    "linked_elsewhere": "Linked elsewhere?",
    "nothing_published": "Posted, nothing new since",
    "not_joined": "Not joined yet",
}


@dataclass(frozen=True)
class LinkFacts:
    status: str
    url: str
    failure_message: str = ""


@dataclass(frozen=True)
class OurPost:
    video_id: str
    linked: bool
    counts: bool
    compliance: str
    checks: dict[str, dict[str, str]]
    published_at: datetime | None


@dataclass(frozen=True)
class PublicPost:
    video_id: str
    published_at: datetime | None
    hashtags: list[str]
    toggle_on: bool


@dataclass(frozen=True)
class Situation:
    starts_on: date
    ends_on: date
    hashtags: list[str]
    links: list[LinkFacts]
    posts: list[OurPost]  # this creator's posts on this campaign
    public: list[PublicPost]  # their recent public posts, newest first
    known_video_ids: set[str]  # every video of theirs we hold a post for, in any campaign
    now: datetime
    surface_delay: timedelta


def reasons(s: Situation) -> list[dict[str, str]]:
    found = [
        *_no_link(s),
        *_not_surfaced(s),
        *_posted_without_link(s),
        *_outside_window(s),
        *_failed_requirements(s),
        *_linked_elsewhere(s),
    ]
    return found or [_quiet(s)]


def _reason(code: str, detail: str, video_id: str = "", label: str = "") -> dict[str, str]:
    reason = {"code": code, "label": label or LABELS[code], "detail": detail}
    if video_id:
        reason["video_id"] = video_id
    return reason


def _when(moment: datetime | None) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M} UTC" if moment else "at an unknown time"


def _no_link(s: Situation) -> list[dict[str, str]]:
    if any(link.url and link.status in ("active", "exhausted") for link in s.links):
        return []
    failed = [link for link in s.links if link.status == "failed"]
    if failed:
        return [
            _reason(
                "no_link",
                f"Their invite link could not be created: "
                f"{failed[0].failure_message or 'see the link list'}",
            )
        ]
    return [
        _reason("no_link", "Their invite link is not ready yet, so they cannot post through it.")
    ]


def _unknown(s: Situation) -> list[PublicPost]:
    start = datetime.combine(s.starts_on, datetime.min.time(), tzinfo=s.now.tzinfo)
    return [
        p
        for p in s.public
        if p.video_id not in s.known_video_ids
        and (p.published_at is None or p.published_at >= start)
    ]


def _not_surfaced(s: Situation) -> list[dict[str, str]]:
    found = []
    for post in _unknown(s):
        if post.toggle_on and post.published_at and s.now - post.published_at < s.surface_delay:
            eta = post.published_at + s.surface_delay
            found.append(
                _reason(
                    "not_surfaced",
                    f"Published {_when(post.published_at)} with the branded-content toggle on. "
                    f"TikTok reports linked posts about {_hours(s.surface_delay)} h after "
                    f"publishing: expect it by {_when(eta)}.",
                    post.video_id,
                )
            )
    return found


def _posted_without_link(s: Situation) -> list[dict[str, str]]:
    wanted = {tag.lower() for tag in s.hashtags}
    found = [
        _reason(
            "posted_without_link",
            f"Posted {_when(post.published_at)} with "
            f"{', '.join('#' + t for t in sorted(wanted & set(post.hashtags)))} but without "
            "the invite link: it is at risk of being taken down and does not count. "
            "Send a campaign code or a linking request.",
            post.video_id,
        )
        for post in _unknown(s)
        if not post.toggle_on and wanted & {tag.lower() for tag in post.hashtags}
    ]
    found += [
        _reason(
            "posted_without_link",
            "A post found by the compliance scan is not linked: "
            "send a campaign code or a linking request.",
            post.video_id,
        )
        for post in s.posts
        if post.compliance == "at_risk"
    ]
    return found


def _failing(s: Situation, check: str) -> list[OurPost]:
    return [p for p in s.posts if p.linked and p.checks.get(check, {}).get("result") == FAIL]


def _outside_window(s: Situation) -> list[dict[str, str]]:
    return [
        _reason(
            "outside_window",
            f"Linked, but does not count: {post.checks['in_window']['reason']}.",
            post.video_id,
        )
        for post in _failing(s, "in_window")
    ]


def _failed_requirements(s: Situation) -> list[dict[str, str]]:
    outside = {p.video_id for p in _failing(s, "in_window")}
    found = []
    for check in ("hashtags", "content_type"):
        found += [
            _reason(
                "failed_requirements",
                f"Linked, but does not count: {post.checks[check]['reason']}.",
                post.video_id,
            )
            for post in _failing(s, check)
            if post.video_id not in outside
        ]
    return found


def _linked_elsewhere(s: Situation) -> list[dict[str, str]]:
    return [
        _reason(
            "linked_elsewhere",
            f"Published {_when(post.published_at)} with the branded-content toggle on, but "
            "TikTok has not attributed it to this campaign: it may be linked to another "
            "campaign. Ask the creator which link or code they used.",
            post.video_id,
        )
        for post in _unknown(s)
        if post.toggle_on and post.published_at and s.now - post.published_at >= s.surface_delay
    ]


def _quiet(s: Situation) -> dict[str, str]:
    linked = [p for p in s.posts if p.linked]
    if linked:
        last = max((p.published_at for p in linked if p.published_at), default=None)
        posts = f"{len(linked)} post{'s' if len(linked) != 1 else ''}"
        since = f", nothing new since {last.day} {last:%b}" if last else ", nothing new since"
        return _reason(
            "nothing_published",
            f"Joined: {posts} through their link, the last {_when(last)}. Nothing published since.",
            label=f"Posted {posts}{since}",
        )
    return _reason(
        "not_joined",
        "Not joined yet: nothing published through their invite link so far. "
        "TikTok does not tell brands when a creator joins; the first linked post is "
        "the first sign.",
    )


def _hours(delay: timedelta) -> int:
    return round(delay.total_seconds() / 3600)
