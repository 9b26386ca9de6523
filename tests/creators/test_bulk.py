"""Bulk work on the Creators list: ticks kept across searches and pages, "all N matching",
"Export selected" (CSV) and "Email selected" (the campaign's Send page, preselected).
Outsiders get 404, viewers may export but not email; nothing changes either way."""

import csv
import io
import re

import pytest
from django.urls import reverse

from inviteflow.creators.models import Creator
from inviteflow.outreach.models import OutboxMessage
from tests.campaigns.factories import make_creators
from tests.outreach.factories import add_campaign, add_creator, roster

LIST = reverse("creator_list", args=["acme"])
EXPORT = reverse("creator_export", args=["acme"])
EMAIL = reverse("outreach_email_selected", args=["acme"])


@pytest.fixture
def sixty(workspace) -> list[Creator]:
    return sorted(make_creators(workspace, 60), key=lambda c: c.name)


def rows_of(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="creators-acme-')
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- the list: ticks survive search and paging ---------------------------------------------


def test_ticks_from_other_pages_come_back_as_hidden_inputs_and_count(viewer_client, sixty):
    first, last = sixty[0], sixty[-1]  # page 1 and page 2
    page = viewer_client.get(LIST, {"page": 2, "creators": [first.pk, last.pk, "x"]})
    html = page.content.decode()
    assert f'<input type="hidden" name="creators" value="{first.pk}">' in html
    assert f'value="{last.pk}" aria-label="Select @{last.handle}" checked>' in html
    assert f'type="hidden" name="creators" value="{last.pk}"' not in html
    assert "2 selected" in html and "All 60 creators" in html


def test_sort_and_page_links_do_not_carry_ticks(viewer_client, sixty):
    html = viewer_client.get(LIST, {"creators": sixty[0].pk, "sort": "handle"}).content.decode()
    assert "creators=" not in html.replace('name="creators"', "")
    assert 'hx-include="#creator-bulk [name=creators], #creator-bulk [name=all_matching]"' in html


# --- export ----------------------------------------------------------------------------------


def test_all_matching_stays_ticked_across_pages(viewer_client, sixty):
    html = viewer_client.get(LIST, {"page": 2, "all_matching": "1"}).content.decode()
    assert "data-all-matching checked>" in html and "All 60 selected" in html
    assert "all_matching=" not in html  # links: only the form sends it


def test_export_selected_across_pages(viewer_client, workspace, sixty):
    add_creator(workspace, "zoe", notes='=HYPERLINK("x")')
    zoe = Creator.objects.get(handle="zoe")
    response = viewer_client.post(EXPORT, {"creators": [sixty[-1].pk, zoe.pk, sixty[0].pk]})
    rows = rows_of(response)
    assert list(rows[0]) == ["name", "handle", "email", "notes"]
    assert [r["handle"] for r in rows] == [sixty[0].handle, sixty[-1].handle, "zoe"]
    assert rows[2]["notes"] == '\'=HYPERLINK("x")'  # not run by a spreadsheet
    assert rows[0]["email"] == sixty[0].email


def test_export_all_matching_the_search(owner_client, sixty):
    response = owner_client.post(EXPORT, {"all_matching": "1", "q": "creator_1"})
    expected = sorted(c.handle for c in sixty if c.handle.startswith("creator_1"))
    assert sorted(r["handle"] for r in rows_of(response)) == expected
    assert len(expected) == 11


def test_export_ignores_another_workspaces_creators(owner_client, actors, sixty):
    theirs = add_creator(actors.other_workspace, "theirs")
    rows = rows_of(owner_client.post(EXPORT, {"creators": [theirs.pk, sixty[0].pk]}))
    assert [r["handle"] for r in rows] == [sixty[0].handle]


def test_export_is_refused_to_outsiders_and_needs_post(outsider_client, viewer_client, sixty):
    assert outsider_client.post(EXPORT, {"creators": [sixty[0].pk]}).status_code == 404
    assert viewer_client.get(EXPORT).status_code == 405


# --- email -----------------------------------------------------------------------------------


@pytest.fixture
def campaign(workspace):
    campaign = add_campaign(workspace)
    roster(campaign, "ada", "bob", "cyd")
    add_creator(workspace, "dee")  # not on the roster
    return campaign


def pks(*handles: str) -> list[int]:
    return [Creator.objects.get(handle=h).pk for h in handles]


def test_email_selected_asks_for_the_campaign(manager_client, campaign):
    page = manager_client.post(EMAIL, {"creators": pks("ada", "dee")})
    html = page.content.decode()
    assert page.status_code == 200 and "Email 2 selected creators" in html
    assert f'name="campaign" value="{campaign.pk}" required>' in html
    assert "1 of 2 on its roster" in html


def test_email_selected_opens_the_send_page_with_them_ticked(manager_client, campaign):
    response = manager_client.post(
        EMAIL, {"creators": pks("ada", "cyd", "dee"), "campaign": campaign.pk}, follow=True
    )
    send_url = reverse("outreach_send", args=["acme", campaign.pk])
    assert response.redirect_chain == [(f"{send_url}?selected=1", 302)]
    html = response.content.decode()
    ada, bob, cyd = pks("ada", "bob", "cyd")
    assert f'value="{ada}" checked' in html and f'value="{cyd}" checked' in html
    assert f'value="{bob}" checked' not in html
    assert re.search(r'<input type="radio" name="who" value="picked"[^>]* checked>', html)
    assert "1 of the 3 selected creators is not on “Spring Launch”" in html
    assert not OutboxMessage.objects.exists()  # nothing sent before the manager sends


def test_email_all_matching(manager_client, campaign):
    page = manager_client.post(EMAIL, {"all_matching": "1", "q": "example"})
    assert "Email 4 selected creators" in page.content.decode()


def test_send_page_without_the_flag_preselects_nobody(manager_client, campaign):
    manager_client.post(EMAIL, {"creators": pks("ada"), "campaign": campaign.pk})
    html = manager_client.get(reverse("outreach_send", args=["acme", campaign.pk])).content
    assert re.search(rb'<input type="radio" name="who" value="all"[^>]* checked>', html)
    assert not re.search(rb'name="creators" value="\d+" checked', html)


def test_email_selected_with_nothing_selected_goes_back(manager_client, campaign):
    response = manager_client.post(EMAIL, {"creators": ["nope"]}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Tick creators in the list" in response.content.decode()


def test_email_selected_is_refused(viewer_client, outsider_client, campaign):
    assert viewer_client.post(EMAIL, {"creators": pks("ada")}).status_code == 403
    assert outsider_client.post(EMAIL, {"creators": pks("ada")}).status_code == 404
    assert "outreach.preselected" not in viewer_client.session


def test_another_workspaces_campaign_is_a_404(manager_client, actors, campaign):
    theirs = add_campaign(actors.other_workspace)
    answer = manager_client.post(EMAIL, {"creators": pks("ada"), "campaign": theirs.pk})
    assert answer.status_code == 404 and "outreach.preselected" not in manager_client.session
