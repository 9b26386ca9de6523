"""/api/v1 outreach endpoints: shapes, errors naming the field, tenancy, read-only keys."""

import pytest

from inviteflow.outreach import delivery
from inviteflow.outreach.models import EmailTemplate, OutboxMessage, OutreachBatch
from tests.outreach.factories import add_campaign, add_creator, roster, template

NEW = {
    "name": "Hello",
    "subject": "Hi {{ creator.first_name }}",
    "body": "Your link: {{ tiktok.invite_link }}",
    "html_body": "<p>{{ creator.name }}</p>",
}


@pytest.fixture
def people(campaign):
    return roster(campaign, "ada", "bob", "cyd")


def test_list_templates_starts_with_the_defaults(api):
    body = api.get("/email-templates").json()
    assert body["count"] == 4
    assert {"id", "name", "subject", "body", "html_body", "campaign_id"} <= set(body["items"][0])


def test_create_template(api, campaign):
    response = api.post("/email-templates", {**NEW, "campaign_id": campaign.pk})
    assert response.status_code == 201
    assert response.json()["campaign_id"] == campaign.pk
    assert api.get(f"/email-templates/{response.json()['id']}").json()["name"] == "Hello"


def test_unknown_placeholder_is_a_422_naming_field_and_suggestion(api):
    response = api.post("/email-templates", {**NEW, "body": "{{ creator.frist_name }}"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body",
            "reason": "unknown placeholder creator.frist_name — did you mean creator.first_name?",
        }
    ]
    assert not EmailTemplate.objects.filter(name="Hello").exists()


def test_bad_shapes_are_422_naming_the_field(api, campaign):
    response = api.post(f"/campaigns/{campaign.pk}/outreach", {"template_id": "x"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"template_id", "creator_ids"}
    assert api.get("/outbox?status=lost").status_code == 422


def test_patch_template(api, workspace):
    t = template(workspace)
    response = api.patch(f"/email-templates/{t.pk}", {"subject": "{{ brand.name }}"})
    assert response.status_code == 200 and response.json()["subject"] == "{{ brand.name }}"
    assert api.patch(f"/email-templates/{t.pk}", {"body": "{{ x }}"}).status_code == 422


def test_preview_for_a_creator(api, workspace, campaign, people):
    t = template(workspace)
    body = api.post(
        f"/email-templates/{t.pk}/preview", {"creator_id": people[1].pk, "campaign_id": campaign.pk}
    ).json()
    assert body["subject"] == "Spring Launch for Bob" and body["blocked_reason"] == ""
    assert "https://www.tiktok.com/t/bob-1/" in body["body"]
    assert "https://www.tiktok.com/t/bob-2/" in body["html_body"]


def test_preview_names_a_blocked_reason_and_checks_the_roster(api, workspace, campaign):
    (nolink,) = roster(campaign, "nolink", links=0)
    stranger = add_creator(workspace, "stranger")
    t = template(workspace)
    body = api.post(
        f"/email-templates/{t.pk}/preview", {"creator_id": nolink.pk, "campaign_id": campaign.pk}
    ).json()
    assert body["blocked_reason"].startswith("no active TikTok invite link")
    response = api.post(
        f"/email-templates/{t.pk}/preview", {"creator_id": stranger.pk, "campaign_id": campaign.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "creator_id"


def test_send_answers_202_and_is_safe_to_retry(api, workspace, campaign, people, smtp):
    (nolink,) = roster(campaign, "nolink", links=0)
    t = template(workspace)
    ids = [p.pk for p in people] + [nolink.pk]
    response = api.post(
        f"/campaigns/{campaign.pk}/outreach", {"template_id": t.pk, "creator_ids": ids}
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["queued"], body["skipped"]) == (3, [])
    assert body["blocked"] == [
        {
            "creator_id": nolink.pk,
            "reason": "no active TikTok invite link with posts left yet "
            "(tiktok.invite_link); no TikTok invite links yet "
            "(tiktok.invite_links)",
        }
    ]
    delivery.deliver_batch(body["batch_id"])
    again = api.post(
        f"/campaigns/{campaign.pk}/outreach", {"template_id": t.pk, "creator_ids": ids}
    ).json()
    assert again["queued"] == 0 and len(again["skipped"]) == 3
    assert api.get(f"/outreach-batches/{body['batch_id']}").json()["sent"] == 3
    assert len(smtp.messages) == 3


def test_send_again_with_an_idempotency_key(api, workspace, campaign, people):
    t = template(workspace)
    payload = {"template_id": t.pk, "creator_ids": [people[0].pk]}
    api.post(f"/campaigns/{campaign.pk}/outreach", payload)
    again = {**payload, "send_again": True, "idempotency_key": "reminder-2"}
    assert api.post(f"/campaigns/{campaign.pk}/outreach", again).json()["queued"] == 1
    assert api.post(f"/campaigns/{campaign.pk}/outreach", again).json()["queued"] == 0
    assert OutboxMessage.objects.count() == 2


def test_send_refuses_creators_off_the_roster_and_empty_lists(api, workspace, campaign, people):
    t = template(workspace)
    off = add_creator(workspace, "off")
    response = api.post(
        f"/campaigns/{campaign.pk}/outreach", {"template_id": t.pk, "creator_ids": [off.pk]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "creator_ids", "reason": f"not on this campaign's roster: {off.pk}"}
    ]
    response = api.post(
        f"/campaigns/{campaign.pk}/outreach", {"template_id": t.pk, "creator_ids": []}
    )
    assert response.status_code == 422
    assert not OutreachBatch.objects.exists()


def test_outbox_lists_with_filters(api, workspace, campaign, people, smtp):
    other = add_campaign(workspace, "Other")
    t = template(workspace)
    batch = api.post(
        f"/campaigns/{campaign.pk}/outreach",
        {"template_id": t.pk, "creator_ids": [p.pk for p in people]},
    ).json()
    assert api.get("/outbox?status=queued").json()["count"] == 3
    delivery.deliver_batch(batch["batch_id"])
    body = api.get(f"/outbox?campaign={campaign.pk}&status=sent&limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    item = body["items"][0]
    assert item["status"] == "sent" and item["to"].endswith("@creators.test")
    assert item["subject"].startswith("Spring Launch for") and "tiktok.com" in item["body"]
    assert item["html_body"] and item["sent_at"] and item["error"] == ""
    assert api.get(f"/outbox?campaign={other.pk}").json()["count"] == 0


def test_another_workspaces_objects_are_404(outsider_api, workspace, campaign, people):
    t = template(workspace)
    assert outsider_api.get(f"/email-templates/{t.pk}").status_code == 404
    assert outsider_api.patch(f"/email-templates/{t.pk}", {"name": "x"}).status_code == 404
    assert outsider_api.post(f"/email-templates/{t.pk}/preview", {}).status_code == 404
    assert (
        outsider_api.post(
            f"/campaigns/{campaign.pk}/outreach",
            {"template_id": t.pk, "creator_ids": [people[0].pk]},
        ).status_code
        == 404
    )
    assert outsider_api.get(f"/outbox?campaign={campaign.pk}").status_code == 404
    assert (
        outsider_api.post("/email-templates", {**NEW, "campaign_id": campaign.pk}).status_code
        == 404
    )
    assert outsider_api.get("/outbox").json()["count"] == 0
    assert not OutreachBatch.objects.exists()
    assert EmailTemplate.objects.get(pk=t.pk).name == "Invite"


def test_a_foreign_template_or_creator_in_the_body_is_404(api, actors, campaign, people):
    foreign_template = template(actors.other_workspace)
    foreign_creator = add_creator(actors.other_workspace, "spy")
    mine = template(actors.workspace)
    for payload in (
        {"template_id": foreign_template.pk, "creator_ids": [people[0].pk]},
        {"template_id": mine.pk, "creator_ids": [foreign_creator.pk]},
    ):
        assert api.post(f"/campaigns/{campaign.pk}/outreach", payload).status_code == 404
    assert not OutreachBatch.objects.exists()


def test_read_only_key_reads_but_gets_403_on_writes(readonly_api, workspace, campaign, people):
    t = template(workspace)
    assert readonly_api.get("/email-templates").status_code == 200
    assert readonly_api.get("/outbox").status_code == 200
    assert readonly_api.post("/email-templates", NEW).status_code == 403
    assert readonly_api.patch(f"/email-templates/{t.pk}", {"name": "x"}).status_code == 403
    assert readonly_api.post(f"/email-templates/{t.pk}/preview", {}).status_code == 403
    assert (
        readonly_api.post(
            f"/campaigns/{campaign.pk}/outreach",
            {"template_id": t.pk, "creator_ids": [people[0].pk]},
        ).status_code
        == 403
    )
    assert not OutreachBatch.objects.exists()
