"""Linking requests (§6.1): LINK on the video against the creator's invite-link object, once
per video; reminders (LINK again) are bounded in number and spacing; REVOKE while in review.

TikTok counts every LINK, so one whose outcome is unknown is looked up in the link statuses
(§6.2, in the background: reconciliation.py) before it is sent again.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince

from inviteflow.compliance import services
from inviteflow.compliance.models import LinkRequest, Remedy
from inviteflow.compliance.remedies import (
    Refused,
    check_later,
    claim,
    failed_write,
    require_at_risk,
    unavailable,
)
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors, schemas
from inviteflow.tiktok.connections import TikTokAccount

Kind, LinkStatus = Remedy.Kind, LinkRequest.Status


def send_link_request(post: Post, actor: services.Actor, tiktok: TikTokAccount) -> LinkRequest:
    """LINK the post against the creator's invite-link object: once per video."""
    require_at_risk(post)
    link = invite_link_of(post)
    request = services.link_request_for(post, link.pk, link.tiktok_campaign_id)
    if request.status != LinkStatus.PENDING:
        return request  # sent already; reminders are their own action
    claim(request)
    services.link_seen(request, _link(request, tiktok))
    emailed = services.email_creator(post, "linking_request", actor)
    services.record_remedy(post, Kind.LINK_REQUEST, request.link_request_id, actor, emailed)
    if request.status == LinkStatus.APPROVED:  # already linked to that object
        services.attribute(post.workspace, services.link_target(request), post.video_id)
    return request


def remind_link_request(post: Post, actor: services.Actor, tiktok: TikTokAccount) -> LinkRequest:
    """LINK again: TikTok reminds the creator (or reopens a rejected or revoked request)."""
    require_at_risk(post)
    request = _request_of(post)
    _check_reminder(request)
    claim(request)
    services.link_seen(request, _link(request, tiktok), reminder=True)
    record_reminder(request, actor)
    return request


def record_reminder(request: LinkRequest, actor: services.Actor) -> None:
    detail = f"{request.link_request_id} (request {request.number_of_requests})"
    services.record_remedy(request.post, Kind.REMINDER, detail, actor)


def revoke_link_request(post: Post, actor: services.Actor, tiktok: TikTokAccount) -> LinkRequest:
    """Withdraw a request the creator has not answered yet."""
    request = _request_of(post)
    if request.status != LinkStatus.IN_REVIEW:
        raise Refused(
            "not_in_review",
            f"The linking request is {request.get_status_display().lower()}: only one "
            "waiting for the creator can be revoked.",
        )
    try:
        info = tiktok.client.revoke_link(
            tiktok.account_id, request.tiktok_campaign_id, post.video_id
        )
    except errors.InvalidParams as exc:
        check_later(request.campaign_id)  # revoked already, or answered: the poll will tell
        raise Refused(
            "not_in_review",
            "TikTok says the request is no longer in review (the creator may have answered "
            "it); its state is being checked with TikTok.",
        ) from exc
    except errors.Throttled as exc:
        raise unavailable(exc) from exc
    except errors.TikTokError as exc:
        raise Refused("tiktok_unavailable", f"TikTok did not revoke it now: {exc}") from exc
    services.link_seen(request, info)
    services.record_remedy(post, Kind.REVOKE, request.link_request_id, actor)
    return request


def invite_link_of(post: Post) -> InviteLink:
    """The creator's invite-link object on the post's campaign (newest that TikTok has)."""
    links = (
        InviteLink.objects.filter(campaign_id=post.campaign_id, creator_id=post.creator_id)
        .exclude(tiktok_campaign_id="")
        .order_by("-sequence")
    )
    link = links.exclude(status=InviteLink.Status.RETIRED).first() or links.first()
    if link is None:
        raise Refused(
            "no_invite_link",
            "The creator has no invite link on TikTok yet, and a "
            "linking request needs one: send a campaign code.",
        )
    return link


def _request_of(post: Post) -> LinkRequest:
    request = LinkRequest.objects.filter(post=post).select_related("post").first()
    if request is None or request.status == LinkStatus.PENDING:
        raise Refused("no_link_request", "No linking request was sent for this post yet.")
    return request


def _check_reminder(request: LinkRequest) -> None:
    most = settings.COMPLIANCE_LINK_REMINDERS_MAX
    every = timedelta(hours=settings.COMPLIANCE_LINK_REMINDER_HOURS)
    if request.status == LinkStatus.APPROVED:
        raise Refused("approved", "The creator approved the request: nothing to remind.")
    if request.reminders_sent >= most:
        raise Refused("reminder_limit", f"{most} reminders were sent already: that is the most.")
    last = request.last_reminded_at or request.requested_at
    if last and timezone.now() < last + every:
        hours = every.total_seconds() / 3600
        raise Refused(
            "reminder_too_soon",
            f"The last request went out {timesince(last)} ago: remind at most every {hours:g} h.",
        )


def _link(request: LinkRequest, tiktok: TikTokAccount) -> schemas.LinkInfo:
    try:
        return tiktok.client.link_video(
            tiktok.account_id, request.tiktok_campaign_id, request.post.video_id
        )
    except errors.TikTokError as exc:
        raise failed_write(exc, request) from exc
