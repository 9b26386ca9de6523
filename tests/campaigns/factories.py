"""Test data for campaigns: a valid campaign, and creators in bulk."""

from datetime import date

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns import services
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator

SPRING_LAUNCH = {
    "name": "Spring Launch",
    "starts_on": date(2025, 5, 1),
    "ends_on": date(2025, 5, 31),
    "content_type": "video",
    "posts_required": 12,
    "hashtags": ["springlaunch"],
    "countries": ["US", "GB"],
}


def make_campaign(workspace: Workspace, **fields) -> Campaign:
    return services.create_campaign(workspace, **{**SPRING_LAUNCH, **fields})


def make_creators(workspace: Workspace, count: int, prefix: str = "creator") -> list[Creator]:
    """`count` creators named "<Prefix> 0001"… with handles "<prefix>_1"…"""
    Creator.objects.bulk_create(
        Creator(
            workspace=workspace,
            name=f"{prefix.title()} {i:04d}",
            handle=f"{prefix}_{i}",
            email=f"{prefix}{i}@example.test",
        )
        for i in range(1, count + 1)
    )
    return list(Creator.objects.filter(workspace=workspace, handle__startswith=f"{prefix}_"))


def make_creator(workspace: Workspace, handle: str, name: str = "") -> Creator:
    return Creator.objects.create(workspace=workspace, handle=handle, name=name or handle.title())
