"""Every main page of a workspace with data in it, on a desktop and on a 390 px phone:
nothing is requested from outside this machine, nothing fails to load, the console stays
clean, and no page scrolls sideways on the phone."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from inviteflow.campaigns.models import Campaign
from inviteflow.insights.services import record_campaign_totals
from inviteflow.outreach import services as outreach
from inviteflow.posts.models import Post
from tests.compliance.support import flag_post
from tests.conftest import PASSWORD
from tests.insights.support import report_everything
from tests.outreach.factories import add_campaign, roster, template
from tests.posts.factories import add_post

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Pages drawn by script after they load: what shows they are done.
DRAWN = {"api docs": ".swagger-ui .opblock"}


@dataclass
class Trouble:
    """What went wrong while one page loaded, collected from the browser's events."""

    outside: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.context.route("**/*", self._keep_local)
        page.on("console", lambda msg: msg.type == "error" and self.console.append(msg.text))
        page.on("pageerror", lambda error: self.console.append(str(error)))
        page.on("requestfailed", self._failed)
        page.on("response", lambda res: res.status >= 400 and self.failed.append(_said(res)))

    def _failed(self, request) -> None:
        """A request the browser gave up itself (ERR_ABORTED: it navigated on, e.g. past the
        login redirect, before the favicon came) is not a broken asset; a broken one answers
        4xx/5xx (the response handler) or fails with another network error."""
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.url} ({request.failure})")

    def _keep_local(self, route) -> None:
        """Answer nothing outside loopback (the machine has no internet), and note it."""
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def clear(self) -> None:
        for found in (self.outside, self.console, self.failed):
            found.clear()


def _said(response) -> str:
    return f"{response.url} answered {response.status}"


@pytest.fixture
def campaign(actors) -> Campaign:
    """A campaign in flight: creators with long names and two links each, posts through the
    links with insights, one post at risk, emails in the Outbox."""
    campaign = add_campaign(actors.workspace, countries=["US"])
    people = roster(campaign, "ada.lovelace.makes.daily", "bob", "cyd")
    Campaign.objects.filter(pk=campaign.pk).update(tiktok_enabled=True)  # links made above
    for link in campaign.invite_links.filter(sequence=1):
        link.tiktok_campaign_id = f"7100{link.pk:06d}"
        link.save(update_fields=["tiktok_campaign_id"])
        add_post(link, hashtags=("springlaunch", "ad"))
    report_everything(campaign)
    record_campaign_totals(campaign, ["US"])
    flag_post(campaign, "bob")
    invite = template(actors.workspace, "Invite")
    outreach.send_outreach(campaign, invite, people, created_by=actors.manager)
    assert Post.objects.filter(campaign=campaign).count() == 4
    return campaign


def main_pages(campaign: Campaign) -> dict[str, str]:
    slug, pk = campaign.workspace.slug, campaign.pk
    return {
        "overview": reverse("overview", args=[slug]),
        "campaigns": reverse("campaign_list", args=[slug]),
        "campaign details": reverse("campaign_detail", args=[slug, pk]),
        "posts": reverse("campaign_posts", args=[slug, pk]),
        "creators": reverse("creator_list", args=[slug]),
        "outreach": reverse("email_templates", args=[slug]),
        "send email": reverse("outreach_send", args=[slug, pk]),
        "outbox": reverse("outbox", args=[slug]),
        "compliance": reverse("compliance_campaign", args=[slug, pk]),
        "report": reverse("campaign_report", args=[slug, pk]),
        "settings": reverse("workspace_settings", args=[slug]),
        "tiktok settings": reverse("tiktok_settings", args=[slug]),
        "api docs": "/api/v1/docs",
    }


def log_in(page, email: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/**")


def sideways_overflow(page) -> list[str]:
    """When the page scrolls sideways: its width, and the outermost elements sticking out."""
    return page.evaluate(
        """() => {
          const root = document.documentElement, edge = root.clientWidth + 1;
          if (root.scrollWidth <= root.clientWidth) return [];
          const sticksOut = el => el.getBoundingClientRect().right > edge;
          const scrollsInside = el => {  // within a box that scrolls or clips it
            for (let box = el.parentElement; box; box = box.parentElement)
              if (getComputedStyle(box).overflowX !== 'visible') return box !== document.body;
            return false;
          };
          const culprits = [...document.body.querySelectorAll('*')].filter(
            el => sticksOut(el) && !sticksOut(el.parentElement) && !scrollsInside(el));
          const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
            (el.className && typeof el.className === 'string' ? '.' + el.className : '');
          return [`scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}`,
                  ...culprits.slice(0, 8).map(name)];
        }"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_main_page_loads_clean_and_local(browser, live_server, campaign, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(30_000)  # thirteen pages, on a machine that may be busy
    page = context.new_page()
    trouble = Trouble()
    trouble.watch(page)
    log_in(page, "manager@acme.test")
    problems = {}
    for name, url in main_pages(campaign).items():
        trouble.clear()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if name in DRAWN:
            page.locator(DRAWN[name]).first.wait_for(timeout=60_000)
        found = {
            "outside requests": trouble.outside,
            "console errors": trouble.console,
            "failed": trouble.failed,
            "sideways": sideways_overflow(page) if viewport == PHONE else [],
        }
        if any(found.values()):
            problems[name] = {k: list(v) for k, v in found.items() if v}
    context.close()
    assert not problems, json.dumps(problems, indent=1)
