"""A send not finished shows its progress on the pages where sends start (the campaign's Send
page and the Outbox), read from the database: whoever navigates away and comes back sees it
on its way, and its card polls until the batch is done."""

import pytest
from django.urls import reverse

from inviteflow.outreach import delivery, services
from inviteflow.outreach.models import OutreachBatch
from tests.outreach.factories import roster, template

POLLING = 'hx-trigger="every 1s"'


@pytest.fixture
def on_its_way(workspace, campaign) -> OutreachBatch:
    """Three emails queued; no worker has picked them up yet."""
    people = roster(campaign, "ada", "bob", "cyd")
    return services.send_outreach(campaign, template(workspace), people)


def pages(campaign) -> list[str]:
    return [
        reverse("outreach_send", args=["acme", campaign.pk]),
        reverse("outbox", args=["acme"]),
    ]


def test_a_send_on_its_way_shows_its_progress_where_sends_start(
    manager_client, campaign, on_its_way
):
    batch_url = reverse("outreach_batch", args=["acme", on_its_way.pk])
    for page in pages(campaign):
        html = manager_client.get(page).content.decode()
        assert "Sending now" in html and f'href="{batch_url}">#{on_its_way.pk}' in html, page
        assert POLLING in html and f'hx-get="{batch_url}"' in html, page
        assert 'class="sent-count">0<' in html and "<strong>3</strong> waiting" in html, page


def test_a_finished_send_is_no_longer_shown_as_on_its_way(manager_client, campaign, on_its_way):
    delivery.deliver_batch(on_its_way.pk)
    for page in pages(campaign):
        html = manager_client.get(page).content.decode()
        assert "Sending now" not in html and POLLING not in html, page


def test_the_outbox_filter_partial_leaves_the_progress_card_alone(manager_client, on_its_way):
    partial = manager_client.get(
        reverse("outbox", args=["acme"]), {"status": "queued"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Sending now" not in partial


def test_another_workspace_does_not_see_the_send(outsider_client, on_its_way):
    html = outsider_client.get(reverse("outbox", args=["globex"])).content.decode()
    assert "Sending now" not in html and POLLING not in html
