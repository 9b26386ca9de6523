"""The Content-Security-Policy in a real browser: every main page is served under the strict
policy, nothing on them violates it, and what relies on script (htmx, the placeholder
buttons, the API docs) still works."""

import pytest
from django.urls import reverse

from inviteflow.outreach import services as outreach
from inviteflow.outreach.models import OutboxMessage
from tests.conftest import PASSWORD
from tests.outreach.factories import add_campaign, roster, template

pytestmark = pytest.mark.browser

STRICT = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
RECORD_VIOLATIONS = """
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
  });
"""


@pytest.fixture
def pages(actors) -> dict[str, str]:
    campaign = add_campaign(actors.workspace)
    people = roster(campaign, "ada", "bob")
    invite = template(actors.workspace, "Invite", html_body='<p style="color: red">Hi</p>')
    outreach.send_outreach(campaign, invite, people, created_by=actors.owner)
    slug, pk = actors.workspace.slug, campaign.pk
    return {
        "campaigns": reverse("campaign_list", args=[slug]),
        "campaign details": reverse("campaign_detail", args=[slug, pk]),
        "creators": reverse("creator_list", args=[slug]),
        "email templates": reverse("email_templates", args=[slug]),
        "template editor": reverse("email_template_edit", args=[slug, invite.pk]),
        "template preview": reverse("email_template_preview", args=[slug, invite.pk]),
        "sent email": reverse("outbox_message", args=[slug, OutboxMessage.objects.first().pk]),
        "settings": reverse("workspace_settings", args=[slug]),
        "security log": reverse("security_log", args=[slug]),
        "tiktok settings": reverse("tiktok_settings", args=[slug]),
        "api docs": "/api/v1/docs",
    }


class Violations:
    """CSP violations a page reported: its own events, and the console's (frames too)."""

    def __init__(self, page) -> None:
        self.page, self.console = page, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._note)

    def _note(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def of_page(self) -> list[str]:
        found = self.page.evaluate("window.__violations") + self.console
        self.console = []
        return found


def log_in(page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/**")


def test_every_main_page_is_served_under_the_strict_policy_without_violations(page, pages):
    violations = Violations(page)
    answer = page.goto("/login/")
    policies = {"login": answer.headers["content-security-policy"]}
    found = {"login": violations.of_page()}
    log_in(page)
    for name, url in pages.items():
        answer = page.goto(url)
        page.wait_for_load_state("networkidle")
        policies[name] = answer.headers["content-security-policy"]
        found[name] = violations.of_page()
    weak = {n: p for n, p in policies.items() if not all(d in p for d in STRICT)}
    assert not weak, weak
    assert not any(found.values()), {n: v for n, v in found.items() if v}


def test_htmx_swaps_under_the_policy(page, pages):
    violations = Violations(page)
    log_in(page)
    page.goto(pages["template preview"])
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    page.select_option("#preview-campaign", label="Spring Launch")
    page.wait_for_url("**campaign=*")  # htmx swapped the preview and pushed its URL
    page.locator("#preview-creator").wait_for()  # only the swapped-in form has it
    assert "Ada" in page.locator(".preview-subject").inner_text()
    assert page.locator("head style").count() == 0
    assert violations.of_page() == []


def test_placeholder_buttons_insert_without_inline_script(page, pages):
    log_in(page)
    page.goto(pages["template editor"])
    subject = page.locator("[data-insertable]").first
    subject.fill("")
    subject.click()
    page.locator("button.insert").first.click()
    inserted = page.locator("button.insert").first.get_attribute("data-insert")
    assert subject.input_value() == inserted


def test_api_docs_render_from_our_own_origin(page, pages):
    violations = Violations(page)
    log_in(page)
    page.goto(pages["api docs"])
    page.locator(".swagger-ui .info .title").wait_for()
    assert "inviteflow API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()
    assert violations.of_page() == []
