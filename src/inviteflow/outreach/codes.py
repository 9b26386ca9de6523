"""Where `tiktok.campaign_code` comes from: the compliance app's campaign codes.

A creator who published without the link gets a campaign code for the campaign
(compliance.remedies); the code is put on them on TikTok's side (an order), so only
creators with an order have one. Templates that need `tiktok.campaign_code` block the
others with "no campaign code yet", and their creator page shows none.
"""

from collections.abc import Iterable

from inviteflow.campaigns.models import Campaign
from inviteflow.compliance.models import CampaignCode, CodeOrder


def campaign_codes(campaign: Campaign, creator_ids: Iterable[int]) -> dict[int, str]:
    """{creator_id: campaign code} for the creators of `campaign` who have one: their most
    recent. One query for any number of creators (no IN list: the campaign's orders)."""
    wanted = set(creator_ids)
    orders = (
        CodeOrder.objects.filter(
            campaign_code__campaign=campaign, campaign_code__status=CampaignCode.Status.ACTIVE
        )
        .order_by("campaign_code__sequence")
        .values_list("creator_id", "campaign_code__code")
    )
    return {creator_id: code for creator_id, code in orders if creator_id in wanted}
