"""Web requests don't wait on TikTok (architecture §10). A remedy makes at most one TikTok
call, with no retry; when the installation's rate limit has no slot for it within a second,
the answer is a clear refusal and nothing changed, never a hang."""

import time

from django.urls import reverse

from inviteflow.compliance.models import CampaignCode
from inviteflow.tiktok.connections import client_for
from inviteflow.tiktok.ratelimit import get_limiter
from tests.compliance.support import BRANDED, post_of, scan, with_emails

ORDER_CREATE = "/tcm/order/create/v2/"
HANG = 5.0  # seconds: far above the 1 s limit, far below the 30 s a background job may wait
COOL_DOWN = 10  # a background job would wait this out (its limit is 30 s); a request may not


def tiktok_calls(world) -> int:
    stats = world.sandbox.http.get("/sandbox/stats").json()["by_endpoint"]
    return sum(endpoint["total"] for endpoint in stats.values())


def at_risk_posts(world, handles):
    campaign = world.campaign(dict.fromkeys(handles, 1))
    with_emails(campaign)
    videos = [world.sandbox.publish(h, caption=BRANDED)["video_id"] for h in handles]
    scan(world, campaign)
    return [post_of(video) for video in videos]


def test_a_web_request_gets_a_client_without_retries_and_a_short_wait(world):
    with client_for(world.workspace, interactive=True) as account:
        assert account.client.max_retries == 0 and account.client.limiter_timeout <= 1.0
    with client_for(world.workspace) as account:  # background jobs retry and wait longer
        assert account.client.max_retries > 0


def test_each_remedy_is_at_most_one_tiktok_call(world, api, settings):
    ada, bob = at_risk_posts(world, ["ada", "bob"])
    settings.COMPLIANCE_LINK_REMINDER_HOURS = 0
    steps = [
        (f"/posts/{ada.pk}/campaign-code", None),  # a new code
        (f"/posts/{bob.pk}/campaign-code", None),  # Bob added to it
        (f"/posts/{ada.pk}/campaign-code", None),  # Ada's code again: no call at all
        (f"/posts/{bob.pk}/link-request", {}),
        (f"/posts/{bob.pk}/link-request", {"action": "remind"}),
        (f"/posts/{bob.pk}/link-request", {"action": "revoke"}),
    ]
    for path, body in steps:
        before = tiktok_calls(world)
        answer = api.post(path, json=body) if body is not None else api.post(path)
        assert answer.status_code == 200, (path, answer.json())
        assert tiktok_calls(world) - before <= 1, path
    assert tiktok_calls(world) > 0


def test_a_remedy_while_the_rate_limit_has_no_slot_is_refused_clearly(world, api):
    [ada] = at_risk_posts(world, ["ada"])
    get_limiter().start_cooldown(COOL_DOWN)  # TikTok throttled us a moment ago
    before = tiktok_calls(world)

    started = time.monotonic()
    answer = api.post(f"/posts/{ada.pk}/campaign-code")
    assert time.monotonic() - started < HANG
    assert (answer.status_code, answer.json()["code"]) == (503, "tiktok_busy")
    assert "nothing was sent" in answer.json()["message"]
    assert tiktok_calls(world) == before
    assert not CampaignCode.objects.exclude(attempted_at=None).exists()  # free to try again


def test_the_remedy_buttons_say_so_too(world, manager_client):
    [ada] = at_risk_posts(world, ["ada"])
    get_limiter().start_cooldown(COOL_DOWN)
    url = reverse("compliance_link_request", args=["acme", ada.pk])

    started = time.monotonic()
    panel = manager_client.post(url, {"action": "link"}, HTTP_HX_REQUEST="true")
    assert time.monotonic() - started < HANG
    assert panel.status_code == 200
    assert "rate limit is in use" in panel.content.decode()
