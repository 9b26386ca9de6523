"""Post attribution fixtures: the acme workspace connected to a live sandbox, campaigns whose
invite links are real sandbox campaign objects, and webhook delivery through the receiver."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks.signals import task_finished
from werkzeug.serving import make_server

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from inviteflow.tiktok.client import TikTokClient
from tests.campaigns.factories import make_campaign
from tests.posts.support import FAST, CapturedWebhooks, Delivery, Sandbox
from tiktok_sandbox.app import create_app
from tiktok_sandbox.config import SandboxConfig


@pytest.fixture
def posts_sandbox(settings) -> Iterator[Sandbox]:
    """A fresh sandbox on a loopback port; inviteflow's TikTok settings point at it."""
    yield from serve_sandbox(settings, SandboxConfig(**FAST))


def serve_sandbox(settings: Any, config: SandboxConfig) -> Iterator[Sandbox]:
    """The sandbox with `config`, served until the generator is closed."""
    webhooks = CapturedWebhooks()
    app = create_app(config=config, webhook_sender=webhooks)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    sandbox = Sandbox(app, server.port, webhooks)
    settings.TIKTOK_API_BASE_URL = sandbox.base_url
    settings.TIKTOK_APP_ID = sandbox.creds["app_id"]
    settings.TIKTOK_APP_SECRET = sandbox.creds["secret"]
    settings.TIKTOK_QPS, settings.TIKTOK_QPM = 100_000, 10_000_000
    yield sandbox
    sandbox.http.close()
    server.shutdown()
    server.server_close()
    app.close()


@pytest.fixture
def immediate_tasks(settings) -> Iterator[list[str]]:
    """Tasks run when enqueued; a task that raised fails the test (the backend swallows it)."""
    failures: list[str] = []

    def record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if task_result.errors:
            failures.append(f"{task_result.task.name}: {task_result.errors[-1].traceback}")

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    task_finished.connect(record)
    yield failures
    task_finished.disconnect(record)
    assert not failures, "\n".join(failures)


@dataclass
class World:
    """The acme workspace connected to the sandbox, and a way to run things on commit."""

    sandbox: Sandbox
    workspace: object
    on_commit: object  # django_capture_on_commit_callbacks

    def campaign(self, required: dict[str, int], **fields) -> Campaign:
        """A TikTok campaign in today's window whose creators have all their links."""
        today = timezone.localdate()
        defaults = {
            "starts_on": today - timedelta(days=1),
            "ends_on": today + timedelta(days=30),
            "posts_required": 1,
            "hashtags": ["springlaunch"],
            "tiktok_enabled": True,
        }
        campaign = make_campaign(self.workspace, **{**defaults, **fields})
        for handle, posts in required.items():
            creator = Creator.objects.create(
                workspace=self.workspace, handle=handle, name=handle.title()
            )
            CampaignCreator.objects.create(
                campaign=campaign, creator=creator, posts_required_override=posts
            )
            for sequence in range(1, (posts - 1) // 10 + 2):
                self.link(campaign, creator, sequence)
        return campaign

    def link(self, campaign: Campaign, creator: Creator, sequence: int) -> InviteLink:
        """What provisioning does: one sandbox campaign object per invite link."""
        with self.client() as client:
            made = client.create_campaign(
                self.sandbox.account_id,
                f"{campaign.name} · @{creator.handle} · {sequence}",
                [creator.handle],
                campaign_type="CAMPAIGN",
            )
        return InviteLink.objects.create(
            workspace=self.workspace,
            campaign=campaign,
            creator=creator,
            sequence=sequence,
            status=InviteLink.Status.ACTIVE,
            tiktok_campaign_id=made.campaign_id,
            url=made.invite_link,
            provisioned_at=timezone.now(),
        )

    def client(self) -> TikTokClient:
        return TikTokClient.from_settings(self.sandbox.token, workspace_key="acme")

    def publish(self, link: InviteLink, count: int = 1, caption: str = "#springlaunch") -> list:
        handle = link.creator.handle
        return [
            self.sandbox.publish(handle, link.url, caption=caption)["video_id"]
            for _ in range(count)
        ]

    def deliver(self, deliveries: list[Delivery]) -> list:
        """POST each delivery to the receiver as TikTok would; tasks run on commit."""
        http = Client()
        with self.on_commit(execute=True):
            return [
                http.post(
                    d.path,
                    data=d.body,
                    content_type="application/json",
                    headers={"X-Open-Signature": d.headers["X-Open-Signature"]},
                )
                for d in deliveries
            ]

    def sync(self, campaign: Campaign, force: bool = True) -> dict:
        from inviteflow.posts.tasks import sync_campaign_posts

        with self.on_commit(execute=True):
            return sync_campaign_posts.call(campaign.pk, force)


@pytest.fixture
def world(actors, posts_sandbox, immediate_tasks, django_capture_on_commit_callbacks) -> World:
    """acme connected to the sandbox the way a user connects it (the hook subscribes)."""
    from inviteflow.tiktok.connections import connect_with_token

    with django_capture_on_commit_callbacks(execute=True):
        connect_with_token(actors.workspace, posts_sandbox.account_id, posts_sandbox.token)
    return World(posts_sandbox, actors.workspace, django_capture_on_commit_callbacks)


def posts_by_link(campaign: Campaign) -> dict[tuple[str, int], int]:
    """(handle, link sequence) → number of posts."""
    found: dict[tuple[str, int], int] = {}
    for post in Post.objects.filter(campaign=campaign).select_related("creator", "invite_link"):
        key = (post.creator.handle, post.invite_link.sequence)
        found[key] = found.get(key, 0) + 1
    return found
