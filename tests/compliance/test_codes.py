"""The campaign code placeholder and the creator's page: a creator on a code gets it (their
newest), one query for any number of creators; creators without one get nothing."""

from django.urls import reverse
from django.utils import timezone

from inviteflow.compliance.models import CampaignCode, CodeOrder
from inviteflow.outreach.codes import campaign_codes
from inviteflow.outreach.services import ensure_pages
from tests.posts.factories import campaign_with


def code(campaign, sequence: int, value: str, creators, status="active") -> CampaignCode:
    made = CampaignCode.objects.create(
        workspace=campaign.workspace,
        campaign=campaign,
        sequence=sequence,
        code=value,
        status=status,
        brand_name="Acme",
        intent_name=f"c{sequence}",
        issued_at=timezone.now(),
    )
    for creator in creators:
        CodeOrder.objects.create(workspace=campaign.workspace, campaign_code=made, creator=creator)
    return made


def test_each_creator_gets_their_newest_active_code_in_one_query(
    workspace, django_assert_num_queries
):
    campaign = campaign_with(workspace, {"ada": 1, "bob": 1, "cy": 1, "dee": 1})
    ada, bob, cy, dee = (entry.creator for entry in campaign.roster.order_by("creator__handle"))
    code(campaign, 1, "AAAA2222", [ada, bob])
    code(campaign, 2, "BBBB3333", [bob])
    code(campaign, 3, "CCCC4444", [cy], status="pending")
    other = campaign_with(workspace, {"eve": 1}, name="Other")
    code(other, 1, "DDDD5555", [other.roster.get().creator])
    with django_assert_num_queries(1):
        codes = campaign_codes(campaign, [ada.pk, bob.pk, cy.pk, dee.pk])
    assert codes == {ada.pk: "AAAA2222", bob.pk: "BBBB3333"}
    assert campaign_codes(campaign, [ada.pk]) == {ada.pk: "AAAA2222"}


def test_the_creator_page_shows_the_code(workspace, client):
    campaign = campaign_with(workspace, {"ada": 1})
    ada = campaign.roster.get().creator
    code(campaign, 1, "ZXCV7890", [ada])
    token = ensure_pages([ada])[ada.pk].token
    page = client.get(reverse("creator_page", args=[token]))
    assert page.status_code == 200 and b"ZXCV7890" in page.content
