"""The creator's side of TikTok: publishing posts and how a post gets linked to a campaign.

A post becomes linked (branded-content toggle on, counted in the campaign, reported, announced by
webhook) in one of three ways, each ending in `attach()`:
- published through the campaign's invite link (the creator joins first; at most
  `posts_per_link` posts per creator per link — the contract's unconfirmed "10 posts" rule);
- a campaign code applied to an already-published post (counts toward the same cap);
- a brand linking request the creator approves (brand-initiated, so not capped).
An unlinked post that looks sponsored (`branded`, or a #ad/#sponsored/#partner hashtag) is taken
down `takedown_grace_hours` after publishing unless linked first; its takedown instant is fixed at
publish time and cleared when it is linked, so "removed" is simply `takedown_ms <= now`.

Refusals raise `Refused`, which the control API turns into a 4xx JSON error and the invite-link
page into a message; the caller's transaction then rolls back, so a refusal changes nothing.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from . import webhooks
from .clock import HOUR_MS
from .creators import INVALID, normalize_handle, onboarding_status
from .ids import new_id
from .runtime import Runtime, UnitOfWork
from .store import Row

INVITE_LINK, CAMPAIGN_CODE, LINK_REQUEST = "invite_link", "campaign_code", "link_request"
CAPPED = (INVITE_LINK, CAMPAIGN_CODE)
IN_REVIEW, APPROVE, REJECTED, REVOKE = "IN_REVIEW", "APPROVE", "REJECTED", "REVOKE"
_INVITE_PATH = re.compile(r"/t/([A-Za-z0-9_-]+)/?$")
_HASHTAG = re.compile(r"#(\w+)")
_MENTION = re.compile(r"@([A-Za-z0-9_.]+)")


class Refused(Exception):
    def __init__(self, reason: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.reason, self.message, self.status = reason, message, status


def invite_token_of(invite_link: str) -> str | None:
    """`https://any.host/t/<token>/` → `<token>` (the host is not checked)."""
    match = _INVITE_PATH.search(urlsplit(invite_link.strip()).path)
    return match.group(1) if match else None


def campaign_for_link(rt: Runtime, invite_link: str) -> Row:
    token = invite_token_of(invite_link)
    campaign = rt.store.campaign_by_invite_token(token) if token else None
    if not campaign:
        raise Refused("unknown_invite_link", "This invite link does not exist.", 404)
    return campaign


def creator_handle(rt: Runtime, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise Refused("invalid_handle", "A TikTok handle is required.", 400)
    if onboarding_status(raw, rt.config) == INVALID:
        raise Refused("invalid_handle", f"{raw!r} is not a usable TikTok handle.", 400)
    return normalize_handle(raw)


def join(rt: Runtime, campaign: Row, handle: str) -> None:
    """The creator accepts the campaign; only invited creators may join a CAMPAIGN object."""
    member = rt.store.campaign_creator(campaign["campaign_id"], handle)
    if campaign["campaign_type"] == "CAMPAIGN" and not (member and member["invited"]):
        raise Refused("not_invited", f"@{handle} is not invited to this campaign.", 403)
    if not member:
        rt.store.save_campaign_creator(campaign["campaign_id"], handle, rt.now_ms(), False)
    rt.store.mark_joined(campaign["campaign_id"], handle, rt.now_ms())


def has_joined(rt: Runtime, campaign: Row, handle: str) -> bool:
    member = rt.store.campaign_creator(campaign["campaign_id"], handle)
    return bool(member and member["joined_ms"])


def posts_used(rt: Runtime, campaign: Row, handle: str) -> int:
    return rt.store.count_posts(campaign["campaign_id"], handle, CAPPED)


def publish(
    rt: Runtime,
    work: UnitOfWork,
    handle: str,
    caption: str,
    hashtags: list[str],
    branded: bool,
    campaign: Row | None = None,
) -> Row:
    """A creator posts a video, through an invite link when `campaign` is given."""
    if campaign:
        join(rt, campaign, handle)
        _check_cap(rt, campaign, handle)
    video = _new_video(rt, handle, caption, hashtags, branded)
    if campaign:
        attach(rt, work, video, campaign, INVITE_LINK)
    return video


def apply_code(rt: Runtime, work: UnitOfWork, video_id: str, campaign_code: str) -> Row:
    """The creator adds a campaign code to a published post; returns the post's campaign."""
    video = live_video(rt, video_id)
    campaign = rt.store.campaign_by_code(campaign_code.strip().upper())
    if not campaign:
        raise Refused("unknown_campaign_code", f"No campaign has the code {campaign_code!r}.", 404)
    if video["campaign_id"] == campaign["campaign_id"]:
        return campaign
    _check_unlinked(video)
    join(rt, campaign, video["handle"])
    _check_cap(rt, campaign, video["handle"])
    attach(rt, work, video, campaign, CAMPAIGN_CODE)
    return campaign


def confirm_link_request(rt: Runtime, work: UnitOfWork, link_request_id: str, action: str) -> Row:
    """The creator answers a brand's linking request: APPROVE links the video, REJECT doesn't."""
    request = rt.store.link_request(link_request_id)
    if not request:
        raise Refused("not_found", f"No linking request {link_request_id}.", 404)
    if request["status"] != IN_REVIEW:
        raise Refused("not_in_review", f"The linking request is {request['status']}.", 409)
    status = APPROVE if action == "APPROVE" else REJECTED
    if status == APPROVE:
        video = live_video(rt, request["video_id"])
        if video["campaign_id"] != request["campaign_id"]:
            _check_unlinked(video)
            campaign = rt.store.campaign(request["campaign_id"])
            assert campaign
            attach(rt, work, video, campaign, LINK_REQUEST)
    rt.store.update_link_request(link_request_id, {"status": status})
    return {**request, "status": status}


def attach(rt: Runtime, work: UnitOfWork, video: Row, campaign: Row, via: str) -> None:
    """Link the post: toggle on, no takedown, webhooks to the account's subscribers."""
    now = rt.now_ms()
    values = {
        "campaign_id": campaign["campaign_id"],
        "linked_via": via,
        "linked_ms": now,
        "takedown_ms": None,
    }
    rt.store.update_video(video["video_id"], values)
    video.update(values)
    subscribers = [
        s
        for s in rt.store.subscriptions_for(campaign["account_id"], webhooks.TCM_VIDEOS)
        if token_reaches(rt, s["access_token"], campaign["account_id"])
    ]
    payloads = webhooks.video_linked_payloads(video, campaign, now)
    work.deliveries += webhooks.deliveries_for(subscribers, payloads, rt.config.app_secret)


def live_video(rt: Runtime, video_id: str) -> Row:
    video = rt.store.video(str(video_id))
    if not video:
        raise Refused("not_found", f"No video {video_id}.", 404)
    if is_removed(video, rt.now_ms()):
        raise Refused("taken_down", f"Video {video_id} was taken down.", 409)
    return video


def is_removed(video: Row, now_ms: int) -> bool:
    return video["takedown_ms"] is not None and video["takedown_ms"] <= now_ms


def surfaced_until(rt: Runtime) -> int:
    """Videos created at or before this instant have surfaced in campaign and report data."""
    return rt.now_ms() - int(rt.config.surface_delay_hours * HOUR_MS)


def token_reaches(rt: Runtime, access_token: str, account_id: str) -> bool:
    token = rt.store.token(access_token)
    now = rt.now_ms()
    return bool(
        token
        and not token["revoked_ms"]
        and account_id in token["account_ids"]
        and (token["expires_ms"] is None or token["expires_ms"] > now)
    )


def _check_cap(rt: Runtime, campaign: Row, handle: str) -> None:
    cap = campaign["posts_per_creator"]
    if posts_used(rt, campaign, handle) >= cap:
        raise Refused(
            "link_exhausted",
            f"@{handle} has already published {cap} posts through this invite link, the most "
            "one link allows. Ask the brand for a new invite link.",
        )


def _check_unlinked(video: Row) -> None:
    if video["campaign_id"]:
        raise Refused(
            "already_linked",
            f"Video {video['video_id']} is already linked to campaign {video['campaign_id']}.",
        )


def _new_video(rt: Runtime, handle: str, caption: str, hashtags: list[str], branded: bool) -> Row:
    tags = _unique([*hashtags, *_HASHTAG.findall(caption)])
    looks_branded = branded or bool({t.lower() for t in tags} & rt.config.branded_hashtag_set)
    # Two posts of one creator never share a millisecond, so the ms cursor stays unambiguous.
    created = max(rt.now_ms(), (rt.store.latest_video_ms(handle) or 0) + 1)
    grace = int(rt.config.takedown_grace_hours * HOUR_MS)
    video = {
        "video_id": new_id(created),
        "handle": handle,
        "caption": caption,
        "hashtags": tags,
        "mentions": _unique(m.rstrip(".").lower() for m in _MENTION.findall(caption)),
        "branded": int(looks_branded),
        "create_ms": created,
        "campaign_id": None,
        "linked_via": None,
        "linked_ms": None,
        "takedown_ms": created + grace if looks_branded else None,
    }
    rt.store.insert_video(video)
    return video


def _unique(items: Any) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        tag = str(item).strip().lstrip("#")
        if tag:
            seen.setdefault(tag, None)
    return list(seen)
