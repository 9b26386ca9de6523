"""TikTok may answer a create without the object's invite link (contract §13): the link waits
for it (pending, never active without a URL), is read back until it appears, and fails with a
clear reason when it never does; Retry failed asks again without making a second object."""

import pytest

from inviteflow.campaigns import services as campaigns
from inviteflow.links import services
from inviteflow.links.tasks import provision_links
from tests.links.test_provisioning import creator, sandbox_objects, spring_launch  # noqa: F401
from tests.sandbox_fixtures import STRICT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize(
        "live_sandbox", [{**STRICT, "invite_link_delay_s": 3600}], indirect=True
    ),
]


def test_a_link_without_tiktoks_url_waits_then_fails_clearly(
    tiktok_connected,
    live_sandbox,
    spring_launch,  # noqa: F811
    workspace,
    settings,
):
    campaigns.add_creators(spring_launch, [creator(workspace, "ada")], posts_required=1)
    campaigns.update_campaign(spring_launch, tiktok_enabled=True)
    provision_links.call(spring_launch.pk)

    link = spring_launch.invite_links.get()
    assert (link.status, link.url) == ("pending", "") and link.tiktok_campaign_id
    assert link.awaiting_url_since is not None
    assert services.progress(spring_launch)["waiting"] == 1

    settings.LINK_URL_TIMEOUT_MINUTES = 0  # TikTok never lists it
    provision_links.call(spring_launch.pk)
    link.refresh_from_db()
    assert (link.status, link.failure_code) == ("failed", "no_invite_link")
    assert "no invite link" in link.failure_message

    live_sandbox.app.runtime.config = live_sandbox.app.runtime.config.replace(
        invite_link_delay_s=0
    )  # TikTok shows it at last
    settings.LINK_URL_TIMEOUT_MINUTES = 15
    services.retry_failed(spring_launch)
    provision_links.call(spring_launch.pk)
    link.refresh_from_db()
    obj = sandbox_objects(live_sandbox)[link.tiktok_campaign_id]
    assert (link.status, link.url) == ("active", obj["invite_link"]) and link.url
    assert len(sandbox_objects(live_sandbox)) == 1  # the same object, never a second
