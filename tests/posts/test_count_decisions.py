"""Count anyway / Don't count (issue #15): a manager overrides whether a post counts toward
its creator's posts, with a reason; every decision is kept (who, when, what, why) and shown
on the post and where it is counted. Viewers are refused; another workspace's post is 404."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inviteflow.posts import queries, services
from inviteflow.posts.models import CountDecision, Post
from tests.posts.factories import add_link, add_post, campaign_with

pytestmark = pytest.mark.django_db
LATE = date(2025, 6, 2)  # after the campaign window: the checks fail


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with(workspace, {"ada": 2})
    add_link(campaign, "ada")
    return campaign


@pytest.fixture
def late_post(campaign) -> Post:
    post = add_post(campaign.invite_links.get(), published=LATE)
    assert not post.counts
    return post


def decision_url(post: Post) -> str:
    return reverse("post_count_decision", args=["acme", post.pk])


def test_count_anyway_counts_a_post_that_failed_its_checks(late_post, actors, campaign):
    decision = services.decide_count(
        late_post, "count", "  Brief changed; agreed  ", actors.manager
    )

    late_post.refresh_from_db()
    assert late_post.counts and late_post.count_decision == "count"
    assert late_post.checks["in_window"]["result"] == "fail"  # the checks still say why
    assert (decision.decided_by, decision.decided_by_name) == (
        actors.manager,
        actors.manager.email,
    )
    assert decision.reason == "Brief changed; agreed" and decision.decision == "count"
    assert queries.counted_by_creator(campaign) == {late_post.creator_id: 1}


def test_dont_count_overrides_a_passing_post_and_survives_a_recheck(campaign, actors):
    post = add_post(campaign.invite_links.get())
    assert post.counts
    services.decide_count(post, "dont_count", "Duplicate of an earlier video", actors.owner)
    services.recheck(campaign)
    post.refresh_from_db()
    assert not post.counts


def test_each_decision_is_kept_newest_first(late_post, actors):
    services.decide_count(late_post, "count", "first", actors.manager)
    services.decide_count(late_post, "dont_count", "second thoughts", actors.owner)
    history = list(late_post.count_decisions.values_list("decision", "reason"))
    assert history == [("dont_count", "second thoughts"), ("count", "first")]
    late_post.refresh_from_db()
    assert not late_post.counts


@pytest.mark.parametrize(
    ("decision", "reason", "field"),
    [("count", "   ", "reason"), ("maybe", "why not", "decision"), ("count", "x" * 1001, "reason")],
)
def test_a_decision_without_a_reason_or_unknown_changes_nothing(
    late_post, actors, decision, reason, field
):
    with pytest.raises(ValidationError) as raised:
        services.decide_count(late_post, decision, reason, actors.manager)
    assert field in raised.value.message_dict
    late_post.refresh_from_db()
    assert not late_post.counts and late_post.count_decision == ""
    assert not CountDecision.objects.exists()


def test_a_removed_post_counted_anyway_stays_counted(campaign, actors):
    post = add_post(campaign.invite_links.get(), compliance="at_risk")
    Post.objects.filter(pk=post.pk).update(linked_via="", invite_link=None)  # found unlinked
    services.decide_count(post, "count", "We accept the risk", actors.manager)
    services.mark_removed(post)
    post.refresh_from_db()
    assert post.compliance == "removed" and post.counts


# -- Through HTTP ---------------------------------------------------------------------------


def test_manager_decides_and_is_sent_back_to_the_post(manager_client, late_post, campaign):
    response = manager_client.post(
        decision_url(late_post), {"decision": "count", "reason": "Agreed", "state": "not_counted"}
    )
    assert response.status_code == 302
    list_url = reverse("campaign_posts", args=["acme", campaign.pk])
    assert response["Location"] == f"{list_url}?state=not_counted#post-{late_post.pk}"
    late_post.refresh_from_db()
    assert late_post.counts

    html = manager_client.get(list_url).content.decode()
    assert "counted anyway" in html and "manager@acme.test: “Agreed”" in html
    assert "History (1)" in html


def test_the_progress_says_a_count_was_decided(manager_client, late_post, actors, campaign):
    services.decide_count(late_post, "count", "Agreed", actors.manager)
    html = manager_client.get(reverse("campaign_progress", args=["acme", campaign.pk])).content
    assert b"1/2" in html and b"1 by decision" in html and b"1 decided by a manager" in html


def test_a_missing_reason_is_said_and_nothing_is_decided(manager_client, late_post):
    response = manager_client.post(decision_url(late_post), {"decision": "count"}, follow=True)
    assert "Nothing decided" in response.content.decode()
    assert not CountDecision.objects.exists()


def test_a_viewer_is_refused_and_sees_no_buttons(viewer_client, late_post, campaign):
    response = viewer_client.post(decision_url(late_post), {"decision": "count", "reason": "x"})
    assert response.status_code == 403
    assert not CountDecision.objects.exists()
    html = viewer_client.get(reverse("campaign_posts", args=["acme", campaign.pk])).content
    assert b"Count anyway" not in html


def test_another_workspaces_post_is_404(outsider_client, late_post):
    forged = reverse("post_count_decision", args=["globex", late_post.pk])
    response = outsider_client.post(forged, {"decision": "count", "reason": "mine now"})
    assert response.status_code == 404
    assert outsider_client.post(decision_url(late_post), {"decision": "count"}).status_code == 404
    late_post.refresh_from_db()
    assert not late_post.counts and not CountDecision.objects.exists()


def test_the_api_shows_the_decision(api, late_post, actors, campaign):
    services.decide_count(late_post, "dont_count", "Not ours", actors.manager)
    (item,) = api.get(f"/campaigns/{campaign.pk}/posts?state=decided").json()["items"]
    assert item["count_decision"] == "dont_count" and item["decision_needed"] == ""


def test_the_api_decides_with_a_reason(api, late_post):
    response = api.post(
        f"/posts/{late_post.pk}/count-decision", {"decision": "count", "reason": "Agreed"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["counts"] and response.json()["count_decision"] == "count"
    assert late_post.count_decisions.get().decided_by_name == "API key “test”"


def test_the_api_refuses_a_missing_reason_a_read_only_key_and_strangers(
    api, readonly_api, outsider_api, late_post
):
    path = f"/posts/{late_post.pk}/count-decision"
    refused = api.post(path, {"decision": "count", "reason": " "})
    assert refused.status_code in (400, 422) and "reason" in refused.content.decode()
    assert readonly_api.post(path, {"decision": "count", "reason": "x"}).status_code == 403
    assert outsider_api.post(path, {"decision": "count", "reason": "x"}).status_code == 404
    assert not CountDecision.objects.exists()
