"""The creator's own page: no login, an unguessable address, revocable.

It shows the creator's campaigns in this workspace: requirements and deadline, each
TikTok invite link with its posts left and a QR code (drawn here as inline SVG, no
CDN), and any campaign code. Search engines are told to stay away and the address
never leaks through a Referer header.
"""

from datetime import date
from typing import Any

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from inviteflow.campaigns.models import CampaignCreator
from inviteflow.core.private_pages import private_page
from inviteflow.outreach.codes import campaign_codes
from inviteflow.outreach.context import human_date, links_by_creator
from inviteflow.outreach.models import CreatorPage
from inviteflow.outreach.queries import roster_entries_of


@private_page
def creator_page(request: HttpRequest, token: str) -> HttpResponse:
    page = CreatorPage.find(token)
    if page is None:
        raise Http404("No such page")
    creator = page.creator
    today = timezone.localdate()
    campaigns = [_campaign_card(entry, today) for entry in roster_entries_of(creator)]
    context = {"creator": creator, "brand": page.workspace.name, "campaigns": campaigns}
    return render(request, "outreach/creator_page.html", context)


def _campaign_card(entry: CampaignCreator, today: date) -> dict[str, Any]:
    campaign = entry.campaign
    links = links_by_creator(campaign, [entry.creator_id]).get(entry.creator_id, [])
    return {
        "campaign": campaign,
        "posts_required": entry.posts_required,
        "starts_on": human_date(campaign.starts_on),
        "ends_on": human_date(campaign.ends_on),
        "days_left": (campaign.ends_on - today).days,
        "links": [{**link, "qr": _qr_svg(link["url"], link["sequence"])} for link in links],
        "campaign_code": campaign_codes(campaign, [entry.creator_id]).get(entry.creator_id, ""),
    }


def _qr_svg(url: str, sequence: int) -> str:
    """segno draws paths only (the URL is not embedded as text), so the SVG is safe inline."""
    svg = segno.make(url, error="m").svg_inline(scale=4, title=f"QR code of link {sequence}")
    return mark_safe(svg)  # noqa: S308
