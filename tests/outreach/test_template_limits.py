"""Templates cannot cost the server: arithmetic and repetition are refused at save (UI form
and API), a rendered email has a size cap, and any rendering failure is a refusal for that
creator with a reason (preview, send, API) — never a 500 and never seconds of CPU."""

import time

import pytest
from django.urls import reverse

from inviteflow.outreach.models import EmailTemplate, OutboxMessage
from inviteflow.outreach.placeholders import example_context
from inviteflow.outreach.templating import CompiledEmail, RenderError, check_source
from tests.outreach.factories import roster, template

# The probe's payloads, and the operator each one must be refused for.
PROBES = [
    ("{{ 7**3000000 }}", "**"),
    ("{{ 10**4300 }}", "**"),
    ("{{ 'a' * 20000000 }}", "*"),
    ("{{ creator.name * 30000000 }}", "*"),
]
FAST = 5.0  # seconds: building the text refused below would take far longer (and GBs)


@pytest.fixture
def people(campaign):
    return roster(campaign, "ada", "bob")


def legacy_template(workspace, body: str) -> EmailTemplate:
    """A template saved before the check existed: stored as is, bypassing the service."""
    return EmailTemplate.objects.create(workspace=workspace, name="Old", subject="Hi", body=body)


def refused_for(operator: str) -> str:
    return f"the {operator} operator is not allowed in email templates"


@pytest.mark.parametrize("payload, operator", PROBES)
def test_the_api_refuses_arithmetic_at_save_naming_the_operator(api, payload, operator):
    response = api.post("/email-templates", {"name": "Boom", "subject": "Hi", "body": payload})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert refused_for(operator) in response.json()["errors"][0]["reason"]
    assert not EmailTemplate.objects.filter(name="Boom").exists()


@pytest.mark.parametrize("payload, operator", PROBES)
def test_the_form_refuses_arithmetic_at_save_naming_the_operator(
    manager_client, workspace, payload, operator
):
    url = reverse("email_template_create", args=["acme"])
    response = manager_client.post(url, {"name": "Boom", "subject": "Hi", "body": payload})
    assert response.status_code == 200
    assert refused_for(operator) in response.content.decode()
    assert not EmailTemplate.objects.filter(name="Boom").exists()


def test_a_patch_with_arithmetic_changes_nothing(api, workspace):
    saved = template(workspace)
    response = api.patch(f"/email-templates/{saved.pk}", {"subject": "{{ 10**4300 }}"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "subject"
    saved.refresh_from_db()
    assert saved.subject == "{{ campaign.name }} for {{ creator.first_name }}"


@pytest.mark.parametrize(
    "source, problem",
    [
        ("{{ creator.name + creator.name }}", refused_for("+")),
        ("{{ -creator.posts_required }}", refused_for("unary -")),
        ("{{ creator.name % 3 }}", refused_for("%")),
        (
            "{% for a in tiktok.invite_links %}{% for b in tiktok.invite_links %}"
            "{% endfor %}{% endfor %}",
            "a {% for %} inside another {% for %} is not allowed",
        ),
        (
            "{% set a = creator.name ~ creator.name %}{% set b = a ~ a %}{{ b }}",
            "a is made by {% set %} or {% with %}, so b may not be built from it",
        ),
        ("{% with a = creator.name %}{% with b = a ~ a %}{% endwith %}{% endwith %}", "a is made"),
        ("{{ 1" + "0" * 5000 + " }}", "a number is too long"),
        ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "too deeply nested"),
    ],
)
def test_other_ways_to_grow_an_email_are_refused_at_save(source, problem):
    problems = check_source(source).problems
    assert any(problem in p for p in problems), problems


def test_concatenation_and_a_set_from_placeholders_still_work():
    source = "{% set greeting = 'Hi ' ~ creator.first_name %}{{ greeting }}, {{ brand.name ~ '!' }}"
    assert check_source(source).problems == []
    assert CompiledEmail("s", source, "").render(example_context()).body == "Hi Ada, Acme!"


@pytest.mark.parametrize("payload, operator", PROBES)
def test_a_stored_template_with_arithmetic_is_refused_in_the_api_preview(
    api, workspace, campaign, people, payload, operator
):
    old = legacy_template(workspace, payload)
    for body in ({}, {"campaign_id": campaign.pk, "creator_id": people[0].pk}):
        response = api.post(f"/email-templates/{old.pk}/preview", body)
        assert response.status_code == 200
        assert refused_for(operator) in response.json()["blocked_reason"]
        assert response.json()["body"] == ""


def test_a_stored_template_with_arithmetic_is_refused_in_the_ui_preview(
    viewer_client, workspace, campaign, people
):
    old = legacy_template(workspace, "{{ 10**4300 }}")
    url = reverse("email_template_preview", args=["acme", old.pk])
    for query in ({}, {"campaign": campaign.pk, "creator": people[0].pk}):
        response = viewer_client.get(url, query)
        assert response.status_code == 200
        assert refused_for("**") in response.content.decode()


def test_sending_a_stored_template_with_arithmetic_blocks_each_creator_with_why(
    api, manager_client, workspace, campaign, people
):
    old = legacy_template(workspace, "{{ creator.name * 30000000 }}")
    payload = {"template_id": old.pk, "creator_ids": [p.pk for p in people]}
    response = api.post(f"/campaigns/{campaign.pk}/outreach", payload)
    assert response.status_code == 202
    blocked = response.json()["blocked"]
    assert [b["creator_id"] for b in blocked] == [p.pk for p in people]
    assert all(refused_for("*") in b["reason"] for b in blocked)
    assert not OutboxMessage.objects.exists()
    page = manager_client.get(
        reverse("outreach_send", args=["acme", campaign.pk]), {"template": old.pk, "who": "all"}
    )
    assert page.status_code == 200 and refused_for("*") in page.content.decode()


def test_a_rendered_email_larger_than_the_cap_is_refused_with_the_setting_named(
    api, workspace, campaign, people, settings
):
    settings.OUTREACH_EMAIL_MAX_CHARS = 2_000
    big = template(workspace, name="Big", body="{{ creator.name }}\n" + "x" * 2_500)
    preview = api.post(
        f"/email-templates/{big.pk}/preview",
        {"campaign_id": campaign.pk, "creator_id": people[0].pk},
    ).json()
    assert "larger than 2,000 characters (OUTREACH_EMAIL_MAX_CHARS)" in preview["blocked_reason"]
    sent = api.post(
        f"/campaigns/{campaign.pk}/outreach", {"template_id": big.pk, "creator_ids": [people[0].pk]}
    ).json()
    assert "OUTREACH_EMAIL_MAX_CHARS" in sent["blocked"][0]["reason"]


@pytest.mark.parametrize(
    "body",
    [
        # each step multiplies the text by ten: a billion characters after nine
        "{{ 'aaaaaaaaaa'" + "|replace('a', 'aaaaaaaaaa')" * 9 + " }}",
        "{{ 'aaaaaaaaaa'" + "|replace('', 'aaaaaaaaaa')" * 9 + " }}",
        "{{ 'aaaaaaaaaa'" + "|join('aaaaaaaaaa')" * 9 + " }}",
        "{{ 'a a a a a'" + "|wordwrap(1, true, 'aaaaaaaaaa')" * 9 + " }}",
        # a short loop body repeated: stopped as soon as the email is too large
        "{% for link in tiktok.invite_links %}{{ creator.name|wordwrap(1) }}{% endfor %}",
    ],
)
def test_filters_that_grow_text_stop_at_the_cap_before_building_it(body, settings):
    settings.OUTREACH_EMAIL_MAX_CHARS = 1_000
    context = example_context()
    context["tiktok"]["invite_links"] = [{"url": "u", "posts_left": 1, "sequence": 1}] * 500
    compiled = CompiledEmail("s", body, "")
    assert compiled.problems == {}
    started = time.monotonic()
    with pytest.raises(RenderError, match="OUTREACH_EMAIL_MAX_CHARS"):
        compiled.render(context)
    assert time.monotonic() - started < FAST


def test_any_failure_while_rendering_is_a_render_error_with_the_reason():
    """A test dividing by zero raises Python's error, not Jinja's: still a reason, no crash."""
    compiled = CompiledEmail("s", "{% if creator.posts_required is divisibleby 0 %}{% endif %}", "")
    with pytest.raises(RenderError, match="could not be rendered"):
        compiled.render(example_context())


def test_multi_line_comments_are_stripped_from_emails():
    """Jinja comments may span lines (unlike Django's `{# #}`): nothing of them is sent."""
    source = "Hi {# a note\nfor the team,\nover three lines #}{{ creator.first_name }}"
    assert check_source(source).problems == []
    email = CompiledEmail("s", source, "<p>{# note\nhere #}x</p>").render(example_context())
    assert (email.body, email.html_body) == ("Hi Ada", "<p>x</p>")
