"""Issue #15, defect 7 and "Count anyway / don't count", in the browser: deleting a creator
names the campaigns and live invite links it touches; a post that still arrives through a
retired link shows on the campaign's posts flagged for a decision; a manager decides with a
reason, and the decision shows where the post is counted."""

import pytest

from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts import resolvers, services
from inviteflow.posts.models import Post
from tests.browser.support import log_in
from tests.outreach.factories import add_campaign, roster

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(actors):
    campaign = add_campaign(actors.workspace)
    roster(campaign, "ada", "bob", links=1)
    return campaign


def arrives_through(link: InviteLink, video_id: str) -> Post:
    """What a TikTok webhook for a video published through `link` does."""
    link.refresh_from_db()
    target = resolvers.target_of(link)
    return services.attribute(link.workspace, target, video_id, Post.FoundBy.WEBHOOK)


def test_deleting_a_creator_names_what_it_touches_and_a_late_post_waits_for_a_decision(
    page, campaign, actors
):
    ada = Creator.objects.get(workspace=actors.workspace, handle="ada")
    link = InviteLink.objects.get(creator=ada)
    log_in(page)
    page.goto("/w/acme/creators/")
    page.locator(f"a[href='/w/acme/creators/{ada.pk}/delete/']").click()

    impact = page.locator("#deletion-impact")
    assert "Spring Launch" in impact.locator(".impact-campaign").inner_text()
    assert link.url in impact.locator(".impact-link").inner_text()
    page.get_by_role("button", name="Delete creator").click()
    page.wait_for_url("**/w/acme/creators/")
    assert "their invite links are retired" in page.locator(".messages").inner_text()

    post = arrives_through(link, "7400000000000000001")  # the link still works on TikTok
    page.goto(f"/w/acme/posts/campaigns/{campaign.pk}/")
    row = page.locator(f"#post-{post.pk}")
    assert "@ada" in row.inner_text()
    assert row.locator(".needs-decision").is_visible()
    assert "retired invite link" in row.inner_text()
    assert "does not count" in row.inner_text()

    row.locator("input[name=reason]").fill("Agreed with her agent before she left")
    row.get_by_role("button", name="Count anyway").click()
    page.wait_for_url(f"**/posts/campaigns/{campaign.pk}/#post-{post.pk}")
    row = page.locator(f"#post-{post.pk}")
    assert "counted anyway" in row.inner_text()
    assert "Agreed with her agent" in row.locator(".decision-reason").inner_text()
    assert row.locator(".needs-decision").count() == 0
    row.locator(".decision-history summary").click()
    assert "settled: arrived through a retired invite link" in row.inner_text()


def test_dont_count_shows_on_the_post_and_on_the_progress(page, campaign, actors):
    bob = Creator.objects.get(workspace=actors.workspace, handle="bob")
    post = arrives_through(InviteLink.objects.get(creator=bob), "7400000000000000002")
    log_in(page)
    page.goto(f"/w/acme/posts/campaigns/{campaign.pk}/")
    row = page.locator(f"#post-{post.pk}")
    row.locator("details.decide summary").click()
    row.get_by_role("button", name="Don't count").click()  # no reason: the browser asks
    assert row.locator("input[name=reason]").evaluate("i => !i.validity.valid")
    row.locator("input[name=reason]").fill("Posted on the brand's competitor's stream")
    row.get_by_role("button", name="Don't count").click()
    page.wait_for_url(f"**#post-{post.pk}")
    assert "not counted (decided)" in page.locator(f"#post-{post.pk}").inner_text()

    page.goto(f"/w/acme/posts/campaigns/{campaign.pk}/progress/")
    assert "1 by decision" in page.locator(f"#progress-{bob.pk}").inner_text()
    assert "1 decided by a manager" in page.locator("#post-progress").inner_text()


def test_a_viewer_sees_the_decision_but_no_buttons(page, campaign, actors):
    bob = Creator.objects.get(workspace=actors.workspace, handle="bob")
    post = arrives_through(InviteLink.objects.get(creator=bob), "7400000000000000003")
    services.decide_count(post, "count", "Agreed", actors.manager)
    log_in(page, "viewer@acme.test")
    page.goto(f"/w/acme/posts/campaigns/{campaign.pk}/")
    row = page.locator(f"#post-{post.pk}")
    assert "counted anyway" in row.inner_text()
    assert row.get_by_role("button", name="Count anyway").count() == 0


def test_a_flagged_post_fits_a_phone(page, campaign, actors):
    from tests.browser.test_every_page import PHONE, sideways_overflow

    bob = Creator.objects.get(workspace=actors.workspace, handle="bob")
    link = InviteLink.objects.get(creator=bob)
    InviteLink.objects.filter(pk=link.pk).update(status=InviteLink.Status.RETIRED)
    post = arrives_through(link, "7400000000000000004")
    services.decide_count(post, "dont_count", "A long reason " * 12, actors.manager)
    arrives_through(link, "7400000000000000005")  # a second one, still waiting
    page.set_viewport_size(PHONE)
    log_in(page)
    page.goto(f"/w/acme/posts/campaigns/{campaign.pk}/")
    page.locator(".decision-history summary").first.click()
    assert sideways_overflow(page) == []
