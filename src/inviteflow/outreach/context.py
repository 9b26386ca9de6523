"""Placeholder values per creator: plain dicts, lists and strings, never ORM objects.

A template can only reach what is put here, so nothing in these dicts leads back
to a model, a manager or a settings object. Values are built in bulk — a handful of
queries for any number of creators — because one batch renders thousands.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.outreach.codes import campaign_codes
from inviteflow.outreach.placeholders import BY_NAME, LinkList

CHUNK = 500  # ids per IN (…): well under every database's parameter limit
LINK_STATUSES = (InviteLink.Status.ACTIVE, InviteLink.Status.EXHAUSTED)

Context = dict[str, dict[str, Any]]


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def human_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def campaign_values(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "brief": campaign.brief,
        "starts_on": human_date(campaign.starts_on),
        "ends_on": human_date(campaign.ends_on),
        "content_type": Campaign.ContentType(campaign.content_type).label,
        "hashtags": " ".join(f"#{tag}" for tag in campaign.hashtags),
    }


def creator_values(creator: Creator, posts_required: int, page_url: str) -> dict[str, Any]:
    return {
        "first_name": creator.first_name,
        "name": creator.name,
        "handle": creator.handle,
        "posts_required": posts_required,
        "page_url": page_url,
    }


def tiktok_values(links: list[dict[str, Any]], campaign_code: str) -> dict[str, Any]:
    """`links` in sequence order; the current link is the first active one with posts left."""
    current = next((link["url"] for link in links if link["current"]), "")
    public = [
        {"url": lk["url"], "posts_left": lk["posts_left"], "sequence": lk["sequence"]}
        for lk in links
    ]
    return {
        "invite_link": current,
        "invite_links": LinkList(public),
        "campaign_code": campaign_code,
    }


def links_by_creator(campaign: Campaign, creator_ids: list[int]) -> dict[int, list[dict]]:
    """The creators' usable links on `campaign` (a URL, not retired), by creator id."""
    found: dict[int, list[dict]] = {}
    for chunk in chunks(creator_ids):
        rows = (
            InviteLink.objects.filter(
                campaign=campaign, creator_id__in=chunk, status__in=LINK_STATUSES
            )
            .exclude(url="")
            .order_by("creator_id", "sequence")
        )
        for link in rows:
            found.setdefault(link.creator_id, []).append(
                {
                    "url": link.url,
                    "posts_left": link.posts_left,
                    "sequence": link.sequence,
                    "current": link.status == InviteLink.Status.ACTIVE and link.posts_left > 0,
                }
            )
    return found


def posts_required_by_creator(campaign: Campaign, creator_ids: list[int]) -> dict[int, int]:
    owed: dict[int, int] = {}
    for chunk in chunks(creator_ids):
        entries = CampaignCreator.objects.filter(campaign=campaign, creator_id__in=chunk)
        for entry in entries.only("creator_id", "posts_required_override"):
            entry.campaign = campaign  # posts_required falls back to the campaign's
            owed[entry.creator_id] = entry.posts_required
    return owed


def creator_contexts(
    campaign: Campaign, creators: list[Creator], page_urls: dict[int, str]
) -> dict[int, Context]:
    """{creator_id: rendering context} for `creators` of `campaign`."""
    ids = [creator.pk for creator in creators]
    owed = posts_required_by_creator(campaign, ids)
    links = links_by_creator(campaign, ids)
    codes = campaign_codes(campaign, ids)
    shared = {"campaign": campaign_values(campaign), "brand": {"name": campaign.workspace.name}}
    return {
        c.pk: {
            **shared,
            "creator": creator_values(c, owed.get(c.pk, campaign.posts_required), page_urls[c.pk]),
            "tiktok": tiktok_values(links.get(c.pk, []), codes.get(c.pk, "")),
        }
        for c in creators
    }


def missing_values(needed: set[str], context: Context) -> list[str]:
    """Why a creator cannot be sent this email: each needed placeholder without a value."""
    reasons = []
    for name in sorted(needed):
        group, key = name.split(".", 1)
        if context[group].get(key) in ("", None, []):
            reasons.append(f"{BY_NAME[name].missing or 'no value'} ({name})")
    return reasons
