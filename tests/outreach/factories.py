"""Builders for outreach tests: a campaign with a roster, invite links, templates."""

from datetime import date

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns import services as campaigns
from inviteflow.campaigns.models import Campaign
from inviteflow.creators import services as creators
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.outreach import services
from inviteflow.outreach.models import EmailTemplate


def add_campaign(workspace: Workspace, name: str = "Spring Launch", **fields) -> Campaign:
    values = {
        "starts_on": date(2025, 5, 1),
        "ends_on": date(2025, 5, 31),
        "posts_required": 12,
        "hashtags": ["springlaunch", "ad"],
        "brief": "Show the colours in daylight.",
        "status": "active",
        **fields,
    }
    return campaigns.create_campaign(workspace, name=name, **values)


def add_creator(workspace: Workspace, handle: str, email: str | None = None, **extra) -> Creator:
    email = f"{handle}@creators.test" if email is None else email
    return creators.create_creator(
        workspace, name=f"{handle.title()} Example", handle=handle, email=email, **extra
    )


def add_link(
    campaign: Campaign,
    creator: Creator,
    sequence: int = 1,
    posts_used: int = 0,
    status: str = InviteLink.Status.ACTIVE,
) -> InviteLink:
    return InviteLink.objects.create(
        workspace=campaign.workspace,
        campaign=campaign,
        creator=creator,
        sequence=sequence,
        status=status,
        url=f"https://www.tiktok.com/t/{creator.handle}-{sequence}/",
        posts_used=posts_used,
    )


def roster(campaign: Campaign, *handles: str, links: int = 2, **creator_fields) -> list[Creator]:
    """Creators on the campaign's roster, each with `links` active invite links."""
    people = [add_creator(campaign.workspace, handle, **creator_fields) for handle in handles]
    campaigns.add_creators(campaign, people)
    for person in people:
        for sequence in range(1, links + 1):
            add_link(campaign, person, sequence)
    return people


def template(workspace: Workspace, name: str = "Invite", **fields) -> EmailTemplate:
    values = {
        "subject": "{{ campaign.name }} for {{ creator.first_name }}",
        "body": "Hi {{ creator.first_name }}, your link: {{ tiktok.invite_link }}\n"
        "All links:\n{{ tiktok.invite_links }}\nPage: {{ creator.page_url }}\n",
        "html_body": "<p>Hi {{ creator.name }}</p>{{ tiktok.invite_links }}"
        '<a href="{{ creator.page_url }}">page</a>',
        **fields,
    }
    return services.create_template(workspace, name=name, **values)
