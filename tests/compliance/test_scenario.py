"""Acceptance 1, against the sandbox over loopback HTTP: three roster creators publish branded
posts without their invite links and are found at risk by one scan. Ada's is fixed with a
campaign code (API), applied in the sandbox; Bob's with a linking request (the compliance
page), approved in the sandbox; Cy's is left alone until the sandbox clock passes TikTok's
grace period and it is taken down. Webhooks go through the receiver as TikTok sends them."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse

from inviteflow.compliance.models import LinkRequest, Remedy
from inviteflow.outreach.models import OutboxMessage
from inviteflow.posts import queries as post_queries
from inviteflow.posts.models import Post
from tests.compliance.support import BRANDED, link_request_id, post_of, scan, with_emails


def test_at_risk_posts_are_remediated_by_code_and_request_or_removed(world, api, manager_client):
    campaign = world.campaign({"ada": 1, "bob": 1, "cy": 1})
    with_emails(campaign)
    sandbox = world.sandbox
    ada = sandbox.publish("ada", caption=BRANDED)["video_id"]
    bob = sandbox.publish("bob", caption="Unboxing time", hashtags=["springlaunch", "ad"])[
        "video_id"
    ]
    cy = sandbox.publish("cy", caption="Thanks @acme for the goodies #sponsored")["video_id"]

    assert scan(world, campaign)["found"] == 3
    assert set(Post.objects.filter(compliance="at_risk").values_list("video_id", flat=True)) == {
        ada,
        bob,
        cy,
    }
    finding = post_of(ada).finding
    assert finding.markers == ["#springlaunch", "#ad"]  # the campaign's, then the disclosure
    assert post_of(cy).finding.markers == ["@acme", "#sponsored"]
    assert finding.takedown_at == post_of(ada).published_at + timedelta(hours=72)
    [digest] = mail.outbox
    assert sorted(digest.to) == ["manager@acme.test", "owner@acme.test"]
    assert "3 posts published without the invite link" in digest.subject
    assert ada in digest.body and ada in digest.alternatives[0][0]

    # Ada: a campaign code, one API call; the email goes out once even when asked twice.
    with world.on_commit(execute=True):  # then the code's object is found in the background
        answer = api.post(f"/posts/{post_of(ada).pk}/campaign-code")
    assert answer.status_code == 200, answer.json()
    code = answer.json()["campaign_code"]
    assert len(code) == 8 and answer.json()["email_status"] == "queued"
    assert api.post(f"/posts/{post_of(ada).pk}/campaign-code").json()["campaign_code"] == code
    [email] = OutboxMessage.objects.filter(to_email="ada@creators.test")
    assert code in email.body and code in email.html_body
    applied = sandbox.http.post(
        "/sandbox/apply-code", json={"video_id": ada, "campaign_code": code}
    )
    assert applied.status_code == 200, applied.text
    world.deliver(sandbox.deliveries())
    ada_post = post_of(ada)
    assert (ada_post.linked_via, ada_post.compliance, ada_post.counts) == (
        "campaign_code",
        "remediated",
        True,
    )

    # Bob: a linking request, one click on the compliance page; the creator approves it.
    url = reverse("compliance_link_request", args=["acme", post_of(bob).pk])
    assert manager_client.post(url, {"action": "link"}).status_code == 302
    assert LinkRequest.objects.get(post__video_id=bob).status == "in_review"
    confirm = f"/sandbox/link-requests/{link_request_id(world, bob)}/confirm"
    assert sandbox.http.post(confirm, json={"action": "APPROVE"}).status_code == 200
    world.deliver(sandbox.deliveries())
    bob_post = post_of(bob)
    assert (bob_post.linked_via, bob_post.compliance, bob_post.counts) == (
        "link_request",
        "remediated",
        True,
    )
    assert bob_post.invite_link.posts_used == 0  # brand-initiated: the link keeps its posts

    # Cy: nothing done; TikTok's grace period passes and the post is taken down.
    sandbox.advance(73)
    scan(world, campaign)
    assert post_of(cy).compliance == "removed"
    assert LinkRequest.objects.get(post__video_id=bob).status == "approved"
    assert [p.compliance for p in map(post_of, (ada, bob))] == ["remediated", "remediated"]

    body = api.get(f"/campaigns/{campaign.pk}/compliance").json()
    assert body["counts"] == {"compliant": 0, "at_risk": 0, "remediated": 2, "removed": 1}
    assert post_queries.totals(campaign)["counted"] == 2
    trail = {(r.kind, r.actor_label) for r in Remedy.objects.all()}
    assert trail == {("campaign_code", "API key “test”"), ("link_request", "manager@acme.test")}
    queued = OutboxMessage.objects.filter(campaign=campaign).values_list("to_email", "subject")
    assert sorted(queued) == [
        ("ada@creators.test", "Spring Launch: a campaign code for your post"),
        ("bob@creators.test", "Acme sent you a request to link your post to Spring Launch"),
    ]
