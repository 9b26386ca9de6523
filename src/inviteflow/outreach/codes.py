"""Where `tiktok.campaign_code` comes from: the hook the compliance issue fills in.

Campaign codes are issued per post by the compliance app (a creator who published
without the link adds the code to the post). Until it exists, no creator has a
code: templates that need `tiktok.campaign_code` block every creator with "no
campaign code yet", and the creator's page shows none.

To connect it, replace the body of `campaign_codes` with one query returning the
code each creator should use for `campaign` (the most recent unused one), keyed
by creator id; creators without one are simply left out. Keep it one query for
any number of creators: a batch asks for thousands at once.
"""

from collections.abc import Iterable

from inviteflow.campaigns.models import Campaign


def campaign_codes(campaign: Campaign, creator_ids: Iterable[int]) -> dict[int, str]:
    """{creator_id: campaign code} for the creators of `campaign` who have one."""
    return {}
