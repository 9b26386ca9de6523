"""Events as Slack messages: the body a Slack incoming webhook takes, `{"text": …}`.

Written from the event's recorded body (the same data a webhook endpoint receives), with the
campaign's name and the creator's handle looked up in the event's workspace, and a link to
the campaign in inviteflow. Names are escaped as Slack asks (&, <, >).
"""

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse

from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.integrations.catalog import TEST_EVENT
from inviteflow.integrations.models import Event


def message_body(event: Event) -> bytes:
    return json.dumps({"text": message_text(event)}, ensure_ascii=False).encode()


def message_text(event: Event) -> str:
    envelope = json.loads(event.body)
    facts = Facts(event, envelope["type"], envelope["data"])
    write = MESSAGES.get(envelope["type"])
    return write(facts) if write else f"inviteflow: {envelope['type']}"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Facts:
    """The event's data, with the names a person reads."""

    def __init__(self, event: Event, event_type: str, data: dict[str, Any]) -> None:
        self.event, self.type, self.data = event, event_type, data

    def get(self, key: str) -> str:
        return escape(str(self.data.get(key) or ""))

    @property
    def campaign(self) -> str:
        key = "id" if self.type == "campaign.completed" else "campaign_id"
        campaign_id = self.data.get(key) or 0
        found = Campaign.objects.filter(workspace_id=self.event.workspace_id, pk=campaign_id)
        name = found.values_list("name", flat=True).first()
        if name is None:
            return f"campaign {campaign_id}"
        slug = self.event.workspace.slug
        url = settings.SITE_URL + reverse("campaign_detail", args=[slug, campaign_id])
        return f"<{url}|{escape(name)}>"

    @property
    def creator(self) -> str:
        creator_id = self.data.get("creator_id") or 0
        found = Creator.objects.filter(workspace_id=self.event.workspace_id, pk=creator_id)
        handle = found.values_list("handle", flat=True).first()
        return f"@{escape(handle)}" if handle else f"creator {creator_id}"

    @property
    def recipient(self) -> str:
        return self.creator if self.data.get("creator_id") else self.get("to")

    @property
    def failed_checks(self) -> str:
        checks = self.data.get("checks") or {}
        reasons = [c.get("reason", "") for c in checks.values() if c.get("result") == "fail"]
        return escape("; ".join(reasons))


def campaign_link(event: Event, campaign_id: int, name: str) -> str:
    url = settings.SITE_URL + reverse("campaign_detail", args=[event.workspace.slug, campaign_id])
    return f"<{url}|{escape(name)}>"


def time_left(seconds: int | None) -> str:
    if seconds is None:
        return "takedown time unknown"
    hours = seconds // 3600
    return f"{hours} h left to link it" if hours else "less than an hour left to link it"


def daily_summary(f: Facts) -> str:
    """The day's figures of the workspace: one line per campaign in flight, the posts at risk,
    then the totals; a workspace with nothing in flight gets one line."""
    d, title = f.data, f"*Daily summary of {escape(f.event.workspace.name)}*"
    emails = d.get("emails_failed_24h") or 0
    if not d.get("campaigns"):
        tail = f" {emails} email(s) failed in the last 24 h." if emails else ""
        return f"{title}: nothing in flight.{tail}"
    names = {c["id"]: c["name"] for c in d["campaigns"]}
    lines = [f"{title}: {d['campaigns_in_flight']} campaign(s) in flight"]
    for c in d["campaigns"]:
        line = (
            f"• {campaign_link(f.event, c['id'], c['name'])}: {c['posts_delivered']}/"
            f"{c['posts_required']} posts delivered, {c['views']:,} views"
        )
        line += f", {c['posts_at_risk']} at risk" if c["posts_at_risk"] else ""
        line += f", {c['links_failed']} link(s) failed" if c["links_failed"] else ""
        lines.append(line)
    if d["posts_at_risk_count"]:
        lines.append(f":rotating_light: {d['posts_at_risk_count']} post(s) at risk:")
        for post in d["posts_at_risk"]:
            campaign = escape(names.get(post["campaign_id"], f"campaign {post['campaign_id']}"))
            lines.append(
                f"• @{escape(post['creator'])} in {campaign} (video {escape(post['video_id'])}): "
                f"{time_left(post['seconds_left'])}"
            )
    lines.append(
        f"Links failed: {d['links_failed']} · Emails failed in the last 24 h: {emails} · "
        f"Views to date: {d['views']:,}"
    )
    return "\n".join(lines)


MESSAGES: dict[str, Callable[[Facts], str]] = {
    "link.ready": lambda f: f"Invite link ready for {f.creator} in {f.campaign}: {f.get('url')}",
    "link.failed": lambda f: (
        f"TikTok refused an invite link for {f.creator} in {f.campaign}: "
        f"{f.get('failure_message') or f.get('failure_code')}"
    ),
    "post.attributed": lambda f: (
        f"{f.creator} published a post for {f.campaign} (video {f.get('video_id')})"
    ),
    "post.requirements_failed": lambda f: (
        f":warning: A post by {f.creator} for {f.campaign} (video {f.get('video_id')}) does "
        f"not meet the requirements: {f.failed_checks}"
    ),
    "post.at_risk": lambda f: (
        f":rotating_light: {f.creator} published an unlinked branded post for {f.campaign} "
        f"(video {f.get('video_id')}): it is at risk of being taken down"
    ),
    "post.remediated": lambda f: (
        f"The at-risk post by {f.creator} (video {f.get('video_id')}) is now linked to {f.campaign}"
    ),
    "post.removed": lambda f: (
        f"TikTok took down the at-risk post by {f.creator} (video {f.get('video_id')}) "
        f"for {f.campaign}"
    ),
    "outreach.sent": lambda f: f"Outreach email “{f.get('subject')}” sent to {f.recipient}",
    "outreach.failed": lambda f: (
        f":x: Outreach email “{f.get('subject')}” to {f.recipient} could not be sent: "
        f"{f.get('error')}"
    ),
    "insights.updated": lambda f: (
        f"Insights of {f.campaign} refreshed from TikTok: {f.get('posts_updated')} post(s) updated"
    ),
    "campaign.completed": lambda f: f"{f.campaign} was marked completed",
    "summary.daily": daily_summary,
    TEST_EVENT: lambda f: (
        "A test message from inviteflow: this channel receives the events you picked."
    ),
}
