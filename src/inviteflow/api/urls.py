"""The REST API v1: one NinjaAPI, one router per domain app."""

from django.http import HttpRequest

from inviteflow.api.auth import ApiKeyAuth, key_of
from inviteflow.api.errors import DocumentedAPI, install_error_handlers

api = DocumentedAPI(
    title="inviteflow API",
    version="1",
    description="TikTok branded-content campaigns: creators, campaigns, Campaign Invite Links, "
    "posts, compliance and insights. Authenticate with `Authorization: Bearer <API key>`.",
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)


@api.get("/whoami", summary="The workspace this key belongs to", tags=["meta"])
def whoami(request: HttpRequest) -> dict:
    key = key_of(request)
    return {"workspace": key.workspace.slug, "read_only": key.read_only}


def _mount_routers() -> None:
    from inviteflow.api import (
        campaigns,
        compliance,
        creators,
        insights,
        links,
        outreach,
        posts,
        webhooks,
    )

    api.add_router("/creators", creators.router)
    api.add_router("/campaigns", campaigns.router)
    api.add_router("/campaigns", links.router)
    api.add_router("", outreach.router)
    api.add_router("", posts.router)
    api.add_router("", compliance.router)
    api.add_router("", insights.router)
    api.add_router("/webhook-endpoints", webhooks.router)


_mount_routers()
