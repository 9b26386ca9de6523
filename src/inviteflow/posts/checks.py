"""Requirement checks: does a post meet its campaign's requirements? Pure functions.

Each check answers `pass`, `fail` or `pending` (TikTok has not described the post yet: a
webhook names the video, its caption and publish time come from the public post list),
with a reason a campaign manager can act on. A post counts toward the creator's
`posts_required` only when it is linked, not at risk, and every check passes.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from inviteflow.campaigns.models import Campaign

PASS, FAIL, PENDING = "pass", "fail", "pending"
COUNTING_COMPLIANCE = ("compliant", "remediated")


@dataclass(frozen=True)
class PostFacts:
    """What the checks need to know about a post."""

    published_at: datetime | None
    hashtags: list[str]
    content_type: str
    described: bool  # caption and hashtags known (TikTok's public post list answered)


def check(campaign: Campaign, post: PostFacts) -> dict[str, dict[str, str]]:
    return {
        "in_window": _in_window(campaign, post.published_at),
        "content_type": _content_type(campaign, post.content_type),
        "hashtags": _hashtags(campaign, post),
    }


def counts(checks: dict[str, dict[str, str]], linked: bool, compliance: str) -> bool:
    passed = bool(checks) and all(c["result"] == PASS for c in checks.values())
    return linked and compliance in COUNTING_COMPLIANCE and passed


def awaiting(checks: dict[str, dict[str, str]], linked: bool, compliance: str) -> bool:
    """Not counted yet, but may be: nothing failed, some checks wait for TikTok."""
    results = {c["result"] for c in checks.values()}
    return (
        linked
        and compliance in COUNTING_COMPLIANCE
        and FAIL not in results
        and (PENDING in results)
    )


def _result(result: str, reason: str) -> dict[str, str]:
    return {"result": result, "reason": reason}


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _in_window(campaign: Campaign, published_at: datetime | None) -> dict[str, str]:
    window = f"{_day(campaign.starts_on)} – {_day(campaign.ends_on)}"
    if published_at is None:
        return _result(PENDING, "waiting for TikTok to report when it was published")
    day = timezone.localdate(published_at)
    if day < campaign.starts_on:
        return _result(FAIL, f"published {_day(day)}, before the campaign window ({window})")
    if day > campaign.ends_on:
        return _result(FAIL, f"published {_day(day)}, after the campaign window ({window})")
    return _result(PASS, f"published {_day(day)}, within {window}")


def _content_type(campaign: Campaign, content_type: str) -> dict[str, str]:
    wanted = campaign.content_type
    if wanted in (Campaign.ContentType.ANY, content_type):
        return _result(PASS, f"a {content_type} post")
    return _result(FAIL, f"the campaign asks for {wanted} posts; TikTok reports a {content_type}")


def _hashtags(campaign: Campaign, post: PostFacts) -> dict[str, str]:
    required = [tag.lower() for tag in campaign.hashtags]
    if not required:
        return _result(PASS, "no hashtags required")
    if not post.described:
        return _result(PENDING, "waiting for TikTok to report the caption")
    present = {tag.lower().lstrip("#") for tag in post.hashtags}
    missing = [tag for tag in required if tag not in present]
    if missing:
        return _result(FAIL, "missing " + ", ".join(f"#{tag}" for tag in missing))
    return _result(PASS, "has " + ", ".join(f"#{tag}" for tag in required))
