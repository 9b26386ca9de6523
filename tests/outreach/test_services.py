"""Templates, previews, who is blocked and why, the idempotency rule, creator pages."""

import pytest
from django.core.exceptions import ValidationError

from inviteflow.links.models import InviteLink
from inviteflow.outreach import services
from inviteflow.outreach.models import CreatorPage, EmailTemplate, OutboxMessage
from tests.outreach.factories import add_campaign, add_creator, add_link, roster, template


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- templates ------------------------------------------------------------------------------------


def test_shipped_defaults_are_created_once(workspace):
    services.ensure_default_templates(workspace)
    services.ensure_default_templates(workspace)
    names = list(EmailTemplate.objects.filter(workspace=workspace).values_list("name", flat=True))
    assert sorted(names) == ["Campaign code", "Linking request", "Reminder", "TikTok invite"]


def test_create_refuses_unknown_placeholders_and_saves_nothing(workspace):
    with pytest.raises(ValidationError) as exc:
        services.create_template(
            workspace,
            name="T",
            subject="{{ campaign.nmae }}",
            body="Hi {{ creator.frist_name }}",
            html_body="{% if %}",
        )
    errors = errors_of(exc)
    assert errors["subject"] == ["unknown placeholder campaign.nmae — did you mean campaign.name?"]
    assert errors["body"] == [
        "unknown placeholder creator.frist_name — did you mean creator.first_name?"
    ]
    assert errors["html_body"][0].startswith("line 1: ")
    assert not EmailTemplate.objects.exists()


def test_create_requires_name_subject_and_body(workspace):
    with pytest.raises(ValidationError) as exc:
        services.create_template(workspace, name=" ", subject="", body="")
    assert set(errors_of(exc)) == {"name", "subject", "body"}


def test_names_are_unique_per_workspace_and_per_campaign(workspace, campaign):
    template(workspace, "Invite")
    with pytest.raises(ValidationError) as exc:
        template(workspace, "invite")
    assert errors_of(exc) == {"name": ["this workspace already has a template named “invite”"]}
    own = template(workspace, "Invite", campaign=campaign)
    assert own.campaign == campaign


def test_a_campaign_of_another_workspace_is_refused(actors):
    foreign = add_campaign(actors.other_workspace)
    with pytest.raises(ValidationError) as exc:
        template(actors.workspace, campaign=foreign)
    assert "campaign" in errors_of(exc)


def test_update_changes_given_fields_only(workspace):
    t = template(workspace)
    services.update_template(t, subject="New {{ brand.name }}")
    t.refresh_from_db()
    assert t.subject == "New {{ brand.name }}" and t.name == "Invite"
    with pytest.raises(ValidationError):
        services.update_template(t, body="{{ nope }}")
    t.refresh_from_db()
    assert "nope" not in t.body


# --- preview and blocking -------------------------------------------------------------------------


def test_preview_renders_that_creators_values(workspace, campaign):
    ada, _ = roster(campaign, "ada", "bob")
    result = services.preview(template(workspace), campaign, ada)
    assert result.subject == "Spring Launch for Ada"
    assert "your link: https://www.tiktok.com/t/ada-1/" in result.body
    assert "https://www.tiktok.com/t/ada-2/ (10 posts left)" in result.body
    assert "bob" not in result.body
    assert result.blocked_reason == ""
    page = CreatorPage.objects.get(creator=ada)
    assert f"Page: http://127.0.0.1:8000/c/{page.token}/" in result.body


def test_preview_without_a_creator_uses_the_examples(workspace):
    result = services.preview(template(workspace))
    assert result.subject == "Spring Launch for Ada"


def test_current_link_is_the_first_active_one_with_posts_left(workspace, campaign):
    (ada,) = roster(campaign, "ada", links=0)
    add_link(campaign, ada, 1, posts_used=10, status=InviteLink.Status.EXHAUSTED)
    add_link(campaign, ada, 2, posts_used=3)
    add_link(campaign, ada, 3, status=InviteLink.Status.RETIRED)
    body = services.preview(template(workspace), campaign, ada).body
    assert "your link: https://www.tiktok.com/t/ada-2/" in body
    assert "ada-1/ (0 posts left)\nhttps://www.tiktok.com/t/ada-2/ (7 posts left)\n" in body
    assert "ada-3" not in body


def test_missing_values_block_with_the_reason(workspace, campaign):
    (nolink,) = roster(campaign, "nolink", links=0)
    (noemail,) = roster(campaign, "noemail", email="")
    t = template(workspace)
    assert services.preview(t, campaign, nolink).blocked_reason == (
        "no active TikTok invite link with posts left yet (tiktok.invite_link); "
        "no TikTok invite links yet (tiktok.invite_links)"
    )
    assert services.preview(t, campaign, noemail).blocked_reason == "no email address"
    services.ensure_default_templates(workspace)
    code = EmailTemplate.objects.get(workspace=workspace, default_key="campaign_code")
    assert (
        "no campaign code yet (tiktok.campaign_code)"
        in services.preview(code, campaign, noemail).blocked_reason
    )


def test_plan_sorts_creators_into_ready_and_blocked(workspace, campaign):
    ready = roster(campaign, "ada", "bob")
    blocked = roster(campaign, "cy", links=0)
    plan = services.plan_outreach(campaign, template(workspace), ready + blocked)
    assert [d.creator for d in plan.ready] == ready
    assert [b["creator_id"] for b in plan.blocked] == [blocked[0].pk]


# --- the idempotency rule -------------------------------------------------------------------------


def test_sending_the_same_choices_twice_queues_once(workspace, campaign):
    people = roster(campaign, "ada", "bob", "cy")
    t = template(workspace)
    first = services.send_outreach(campaign, t, people)
    second = services.send_outreach(campaign, t, people)
    assert (first.queued, second.queued) == (3, 0)
    assert [s["reason"] for s in second.skipped] == ["already queued"] * 3
    assert second.status == "done"
    assert OutboxMessage.objects.count() == 3


def test_editing_the_template_or_the_address_makes_a_new_email(workspace, campaign):
    ada, bob = roster(campaign, "ada", "bob")
    t = template(workspace)
    services.send_outreach(campaign, t, [ada, bob])
    services.update_template(t, subject="Updated: {{ campaign.name }}")
    assert services.send_outreach(campaign, t, [ada]).queued == 1
    bob.email = "bob@new.test"
    bob.save()
    assert services.send_outreach(campaign, t, [ada, bob]).queued == 1


def test_send_again_sends_once_per_token(workspace, campaign):
    people = roster(campaign, "ada", "bob")
    t = template(workspace)
    services.send_outreach(campaign, t, people)
    token = services.new_send_again_token()
    assert services.send_outreach(campaign, t, people, send_again_token=token).queued == 2
    assert services.send_outreach(campaign, t, people, send_again_token=token).queued == 0
    assert (
        services.send_outreach(
            campaign, t, people, send_again_token=services.new_send_again_token()
        ).queued
        == 2
    )


def test_a_template_for_another_campaign_is_refused(workspace, campaign):
    other = add_campaign(workspace, "Other")
    people = roster(campaign, "ada")
    with pytest.raises(ValidationError) as exc:
        services.send_outreach(campaign, template(workspace, campaign=other), people)
    assert errors_of(exc) == {"template_id": ["this template is for another campaign"]}


def test_rows_are_rendered_when_queued(workspace, campaign, actors):
    ada, bob = roster(campaign, "ada", "bob")
    batch = services.send_outreach(
        campaign, template(workspace), [ada, bob], created_by=actors.manager
    )
    message = OutboxMessage.objects.get(batch=batch, creator=ada)
    assert (message.to_email, message.subject, message.status) == (
        "ada@creators.test",
        "Spring Launch for Ada",
        "queued",
    )
    assert "ada-1" in message.body and "ada-2" in message.html_body
    assert message.message_id.startswith("<outreach.") and message.workspace == workspace


# --- creator pages --------------------------------------------------------------------------------


def test_pages_are_created_once_and_revocable(workspace):
    ada = add_creator(workspace, "ada")
    page = services.ensure_pages([ada])[ada.pk]
    assert services.ensure_pages([ada])[ada.pk].token == page.token
    assert CreatorPage.find(page.token) == page
    assert page.token_hash != page.token and len(page.token) >= 43
    new = services.revoke_page(ada)
    assert new.token != page.token
    assert CreatorPage.find(page.token) is None
    assert CreatorPage.find(new.token) == new


def test_deleting_a_campaign_keeps_what_was_sent(workspace, campaign):
    people = roster(campaign, "ada")
    services.send_outreach(campaign, template(workspace, "Own", campaign=campaign), people)
    services.send_outreach(campaign, template(workspace), people)
    campaign.delete()
    assert OutboxMessage.objects.count() == 2
    assert not EmailTemplate.objects.filter(name="Own").exists()
