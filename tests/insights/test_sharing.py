"""Shareable report links: made and revoked by managers from the report page, opened without
login at /r/<token>/ (read-only, no workspace navigation, not indexed), until they expire or
are revoked; creators' emails left out when asked; never another campaign's report."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from inviteflow.creators.models import Creator
from inviteflow.insights import services
from inviteflow.insights.models import ReportLink, report_token_hash
from inviteflow.insights.services import record_campaign_totals
from tests.insights.support import campaign_with_posts, report_everything

EMAILS = {"ada": "ada@creators.test", "bob": "bob@creators.test"}


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 2, "bob": 1}, name="Spring Launch")
    for handle, email in EMAILS.items():
        Creator.objects.filter(workspace=workspace, handle=handle).update(email=email)
    report_everything(campaign)
    record_campaign_totals(campaign, ["US"])
    return campaign


@pytest.fixture
def other_campaign(workspace):
    return campaign_with_posts(workspace, {"cy": 1}, name="Winter Sale")


def report_url(campaign) -> str:
    return f"/w/acme/insights/campaigns/{campaign.pk}/"


def shared(token: str):
    return Client().get(f"/r/{token}/")


def share(client, campaign, days=7, hide_contacts=False):
    data = {"expires_in_days": days, **({"hide_contacts": "on"} if hide_contacts else {})}
    return client.post(report_url(campaign) + "share/", data)


# -- Service --------------------------------------------------------------------------------


def test_a_link_keeps_only_the_hash_of_an_unguessable_token(campaign, actors):
    link, token = services.share_report(campaign, actors.manager, 30, hide_contacts=True)
    assert len(token) >= 43 and token not in str(ReportLink.objects.values().get())
    assert link.token_hash == report_token_hash(token)
    assert (link.workspace, link.campaign, link.created_by) == (
        campaign.workspace,
        campaign,
        actors.manager,
    )
    assert link.expires_at - link.created_at == timedelta(days=30) and link.hide_contacts
    assert services.live_report_link(token) == link
    assert services.live_report_link(token + "x") is None


def test_an_expiry_outside_the_choices_is_refused(campaign):
    from django.core.exceptions import ValidationError

    for days in (0, 2, 365, "7", True, None):
        with pytest.raises(ValidationError, match="expires_in_days"):
            services.share_report(campaign, None, days)
    assert not ReportLink.objects.exists()


def test_revoked_and_expired_links_open_nothing(campaign):
    revoked, token = services.share_report(campaign, None, 7)
    assert services.revoke_report_link(revoked)
    assert not services.revoke_report_link(revoked)  # once
    assert services.live_report_link(token) is None
    expired, old = services.share_report(campaign, None, 1)
    ReportLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert services.live_report_link(old) is None


# -- The shared page ------------------------------------------------------------------------


def test_the_shared_page_shows_the_report_without_login_navigation_or_indexing(campaign):
    _, token = services.share_report(campaign, None, 7)
    response = shared(token)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Report: Spring Launch" in html and "Acme" in html
    assert 'data-metric="video_views" data-value="6000"' in html
    assert html.count('data-post="') == 3 and html.count('data-creator="') == 2
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "mainnav" not in html and "/w/acme" not in html  # no way into the workspace
    assert "Refresh insights" not in html and "Share this report" not in html
    assert "Export CSV" not in html and "<script" not in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    for email in EMAILS.values():
        assert email in html  # contact details were not left out


def test_hidden_contacts_are_absent_from_the_html(campaign):
    _, token = services.share_report(campaign, None, 7, hide_contacts=True)
    html = shared(token).content.decode()
    assert html.count('data-creator="') == 2
    for email in EMAILS.values():
        assert email not in html
    assert "@creators.test" not in html and ">Email<" not in html


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired"])
def test_unknown_revoked_and_expired_links_are_the_styled_404(campaign, state):
    link, token = services.share_report(campaign, None, 7)
    if state == "unknown":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif state == "revoked":
        services.revoke_report_link(link)
    else:
        ReportLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    response = shared(token)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "Spring Launch" not in html


def test_a_link_exposes_only_its_own_campaign(campaign, other_campaign):
    _, token = services.share_report(campaign, None, 7)
    html = shared(token).content.decode()
    assert "Winter Sale" not in html and "@cy" not in html
    for param in (f"?campaign_id={other_campaign.pk}", "?part=posts", "?region=ZZ"):
        response = Client().get(f"/r/{token}/{param}", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "Winter Sale" not in response.content.decode()
        assert "Report: Spring Launch" in response.content.decode()
    assert Client().post(f"/r/{token}/").status_code == 405  # read-only


# -- Managing links from the report page ----------------------------------------------------


def test_a_manager_creates_a_link_sees_its_address_once_and_revokes_it(manager_client, campaign):
    response = share(manager_client, campaign, days=30, hide_contacts=True)
    assert response.status_code == 302 and response["Location"].endswith("#share")
    html = manager_client.get(report_url(campaign)).content.decode()
    [url] = re.findall(r'<code id="report-link-url">([^<]+)</code>', html)
    token = url.rsplit("/r/", 1)[1].strip("/")
    link = ReportLink.objects.get()
    assert link.token_hash == report_token_hash(token) and link.hide_contacts
    assert f'data-report-link="{link.pk}"' in html and "left out" in html
    assert shared(token).status_code == 200
    again = manager_client.get(report_url(campaign)).content.decode()
    assert token not in again and 'id="report-link-url"' not in again  # shown once

    revoke = f"{report_url(campaign)}share/{link.pk}/revoke/"
    assert manager_client.post(revoke).status_code == 302
    assert shared(token).status_code == 404
    assert "revoked" in manager_client.get(report_url(campaign)).content.decode()


def test_owners_share_too_and_a_bad_expiry_changes_nothing(owner_client, campaign):
    assert share(owner_client, campaign).status_code == 302
    assert ReportLink.objects.count() == 1
    response = share(owner_client, campaign, days=3)
    assert response.status_code == 302 and ReportLink.objects.count() == 1
    html = owner_client.get(report_url(campaign)).content.decode()
    assert "The link was not made" in html


def test_viewers_can_neither_see_nor_make_nor_revoke_links(viewer_client, campaign):
    link, token = services.share_report(campaign, None, 7)
    html = viewer_client.get(report_url(campaign)).content.decode()
    assert "Share this report" not in html and f'data-report-link="{link.pk}"' not in html
    assert share(viewer_client, campaign).status_code == 403
    revoke = f"{report_url(campaign)}share/{link.pk}/revoke/"
    assert viewer_client.post(revoke).status_code == 403
    assert ReportLink.objects.count() == 1 and shared(token).status_code == 200


def test_outsiders_get_404_and_change_nothing(outsider_client, campaign):
    link, token = services.share_report(campaign, None, 7)
    assert share(outsider_client, campaign).status_code == 404
    revoke = f"{report_url(campaign)}share/{link.pk}/revoke/"
    assert outsider_client.post(revoke).status_code == 404
    assert (
        outsider_client.post(f"/w/globex/insights/campaigns/{campaign.pk}/share/").status_code
        == 404
    )
    assert ReportLink.objects.count() == 1 and shared(token).status_code == 200


def test_a_link_of_another_campaign_is_not_revoked_through_this_one(
    manager_client, campaign, other_campaign
):
    link, token = services.share_report(campaign, None, 7)
    wrong = f"{report_url(other_campaign)}share/{link.pk}/revoke/"
    assert manager_client.post(wrong).status_code == 404
    assert shared(token).status_code == 200
