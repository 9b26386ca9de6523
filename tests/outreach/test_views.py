"""Outreach pages through HTTP: who may see and do what, the Send flow, the creator's page."""

import html

import pytest
from django.urls import reverse

from inviteflow.outreach import delivery, services
from inviteflow.outreach.models import CreatorPage, EmailTemplate, OutboxMessage, OutreachBatch
from tests.outreach.factories import roster, template


@pytest.fixture
def sent(workspace, campaign, settings):
    """Three creators, one template, one delivered batch (Django's test mailbox)."""
    people = roster(campaign, "ada", "bob", "cyd")
    t = template(workspace)
    batch = services.send_outreach(campaign, t, people)
    delivery.deliver_batch(batch.pk)
    return {
        "people": people,
        "template": t,
        "batch": batch,
        "message": OutboxMessage.objects.filter(batch=batch).first(),
    }


def urls(sent, campaign) -> dict[str, list[str]]:
    """Every outreach page: read (GET, viewer) / manage (GET, manager) / act (POST, manager)."""
    slug, t, b, m = "acme", sent["template"].pk, sent["batch"].pk, sent["message"].pk
    ada = sent["people"][0].pk
    u = lambda name, *args: reverse(name, args=[slug, *args])  # noqa: E731
    return {
        "read": [
            u("outbox"),
            u("outbox_message", m),
            u("email_templates"),
            u("email_template_preview", t),
            u("outreach_batch", b),
            u("creator_page_admin", ada),
        ],
        "manage": [
            u("email_template_create"),
            u("email_template_edit", t),
            u("outreach_send", campaign.pk),
        ],
        "act": [
            u("outbox_message_resend", m),
            u("outreach_batch_resend", b),
            u("creator_page_revoke", ada),
            u("email_template_create"),
            u("email_template_edit", t),
            u("outreach_send", campaign.pk),
        ],
    }


def test_owner_sees_every_page(owner_client, sent, campaign):
    pages = urls(sent, campaign)
    for url in pages["read"] + pages["manage"]:
        assert owner_client.get(url).status_code == 200, url


def test_outsider_gets_404_everywhere_and_changes_nothing(outsider_client, sent, campaign):
    token = CreatorPage.objects.get(creator=sent["people"][0]).token
    pages = urls(sent, campaign)
    for url in pages["read"] + pages["manage"]:
        assert outsider_client.get(url).status_code == 404, url
    for url in pages["act"]:
        assert outsider_client.post(url, {"name": "x"}).status_code == 404, url
    assert OutreachBatch.objects.count() == 1 and EmailTemplate.objects.count() == 1
    assert CreatorPage.objects.get(creator=sent["people"][0]).token == token


def test_outsider_cannot_reach_acme_objects_from_their_own_workspace(outsider_client, sent):
    message, t = sent["message"].pk, sent["template"].pk
    for url in (
        reverse("outbox_message", args=["globex", message]),
        reverse("email_template_preview", args=["globex", t]),
        reverse("outreach_batch", args=["globex", sent["batch"].pk]),
    ):
        assert outsider_client.get(url).status_code == 404, url


def test_viewer_reads_but_gets_403_on_changes(viewer_client, sent, campaign):
    pages = urls(sent, campaign)
    for url in pages["read"]:
        assert viewer_client.get(url).status_code == 200, url
    for url in pages["manage"]:
        assert viewer_client.get(url).status_code == 403, url
    for url in pages["act"]:
        assert viewer_client.post(url, {"name": "x"}).status_code == 403, url
    assert OutreachBatch.objects.count() == 1


def test_template_editor_lists_the_catalogue_and_names_unknown_placeholders(
    manager_client, workspace
):
    url = reverse("email_template_create", args=["acme"])
    page = manager_client.get(url).content.decode()
    assert 'data-insert="{{ creator.first_name }}"' in page
    response = manager_client.post(
        url, {"name": "T", "subject": "Hi", "body": "{{ creator.frist_name }}"}
    )
    assert response.status_code == 200
    assert (
        "unknown placeholder creator.frist_name — did you mean creator.first_name?"
        in response.content.decode()
    )
    assert not EmailTemplate.objects.filter(name="T").exists()
    response = manager_client.post(url, {"name": "T", "subject": "Hi", "body": "{{ brand.name }}"})
    assert response.status_code == 302 and EmailTemplate.objects.filter(name="T").exists()


def test_preview_for_a_creator_of_a_campaign(viewer_client, sent, campaign):
    bob = sent["people"][1]
    url = reverse("email_template_preview", args=["acme", sent["template"].pk])
    page = viewer_client.get(url, {"campaign": campaign.pk, "creator": bob.pk}).content.decode()
    assert "Spring Launch for Bob" in page and "https://www.tiktok.com/t/bob-1/" in page
    partial = viewer_client.get(url, {"campaign": campaign.pk}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


def test_send_page_checks_then_sends_and_shows_who_is_blocked(
    manager_client, workspace, campaign, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    roster(campaign, "ada", "bob")
    roster(campaign, "nolink", links=0)
    t = template(workspace)
    url = reverse("outreach_send", args=["acme", campaign.pk])
    check = manager_client.get(url, {"template": t.pk, "who": "all"}).content.decode()
    assert "Send 2 emails" in check
    assert "no active TikTok invite link with posts left yet (tiktok.invite_link)" in check
    token = check.split('name="token" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"template": t.pk, "who": "all", "token": token})
    batch = OutreachBatch.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/batches/{batch.pk}/")
    assert OutboxMessage.objects.filter(status="sent").count() == 2
    progress = manager_client.get(response.url).content.decode()
    assert "Nolink Example" in progress and 'class="sent-count">2<' in progress


def test_send_to_hand_picked_and_not_yet_emailed(manager_client, workspace, campaign):
    ada, bob, cyd = roster(campaign, "ada", "bob", "cyd")
    t = template(workspace)
    url = reverse("outreach_send", args=["acme", campaign.pk])
    manager_client.post(url, {"template": t.pk, "who": "picked", "creators": [ada.pk]})
    assert set(OutboxMessage.objects.values_list("creator", flat=True)) == {ada.pk}
    other = template(workspace, "Other", subject="Other {{ campaign.name }}")
    manager_client.post(url, {"template": other.pk, "who": "not_emailed"})
    assert OutboxMessage.objects.filter(template=other).count() == 2


def test_outbox_filters_by_campaign_and_status(viewer_client, sent, campaign):
    url = reverse("outbox", args=["acme"])
    assert viewer_client.get(url).content.decode().count("Spring Launch for") == 3
    assert "Spring Launch for" not in viewer_client.get(url, {"status": "failed"}).content.decode()
    message = viewer_client.get(reverse("outbox_message", args=["acme", sent["message"].pk]))
    assert 'sandbox srcdoc="&lt;p&gt;Hi' in message.content.decode()


def test_creator_page_shows_links_with_qr_codes_and_is_private(client, sent, campaign):
    ada = sent["people"][0]
    token = CreatorPage.objects.get(creator=ada).token
    response = client.get(f"/c/{token}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Spring Launch" in page and "1 May 2025 and 31 May 2025" in page
    assert page.count("<svg") == 2 and "https://www.tiktok.com/t/ada-2/" in page
    assert "#springlaunch" in page and "bob-1" not in page
    assert "10 posts left" in page and "12 video posts" in page


def test_a_revoked_page_is_gone(client, manager_client, sent):
    ada = sent["people"][0]
    old = CreatorPage.objects.get(creator=ada).token
    manager_client.post(reverse("creator_page_revoke", args=["acme", ada.pk]))
    assert client.get(f"/c/{old}/").status_code == 404
    assert client.get(f"/c/{CreatorPage.objects.get(creator=ada).token}/").status_code == 200
    assert client.get("/c/not-a-token/").status_code == 404


def selected_template(client, campaign) -> str:
    page = client.get(reverse("outreach_send", args=["acme", campaign.pk])).content.decode()
    select = page.split('name="template"', 1)[1].split("</select>", 1)[0]
    return html.unescape(select.split(" selected>", 1)[1].split("<", 1)[0])


def test_send_page_starts_on_the_tiktok_invite(manager_client, workspace, campaign):
    """By name, "Campaign code" comes first; the invite is what a new campaign sends."""
    assert selected_template(manager_client, campaign) == "TikTok invite"
    template(workspace, "TikTok invite", campaign=campaign)
    assert selected_template(manager_client, campaign) == "TikTok invite (this campaign's own)"
