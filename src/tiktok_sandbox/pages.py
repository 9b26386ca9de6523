"""The few HTML pages a person sees: TikTok's consent screen, the page behind an invite link,
an index with the demo credentials, and offline media (thumbnails, embeds, profile pictures).

The invite-link page is the creator's side of the product: enter a handle, join the campaign,
publish posts (caption, hashtags) until the link's cap; the cap and "not invited" refusals are
shown as messages with a 4xx status. Posting redirects (303) so a reload never posts twice.
The consent page issues a single-use auth code valid for an hour and redirects back with
`auth_code` (and the same value as `code`) plus `state`, or `error=access_denied` on Cancel.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.routing import Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import linking
from .api.auth import issue_auth_code
from .clock import format_iso
from .creators import normalize_handle
from .linking import Refused
from .runtime import Runtime
from .store import Row

templates = Environment(
    loader=PackageLoader("tiktok_sandbox", "templates"),
    autoescape=select_autoescape(["html", "svg"]),
)


def render(name: str, status: int = 200, mimetype: str = "text/html", **context: Any) -> Response:
    return Response(
        templates.get_template(name).render(**context), status=status, mimetype=mimetype
    )


def index(rt: Runtime, request: Request) -> Response:
    return render(
        "index.html",
        config=rt.config,
        base_url=rt.base_url(request),
        now=format_iso(rt.now_ms()),
        campaigns=rt.store.campaigns(),
    )


def authorize(rt: Runtime, request: Request) -> Response:
    """GET shows the consent form; POST answers it with a redirect to `redirect_uri`."""
    source = request.form if request.method == "POST" else request.args
    app_id, state = source.get("app_id", ""), source.get("state", "")
    redirect_uri = source.get("redirect_uri", "")
    problem = _authorization_problem(rt, app_id, redirect_uri)
    if problem:
        return render("auth.html", status=400, error=problem, app_ok=False)
    if request.method == "GET":
        return render(
            "auth.html",
            app_ok=True,
            app_id=app_id,
            state=state,
            redirect_uri=redirect_uri,
            accounts=rt.store.accounts(),
        )
    if request.form.get("decision") != "authorize":
        return redirect(_with_query(redirect_uri, error="access_denied", state=state), 302)
    accounts = [a for a in request.form.getlist("account_ids") if rt.store.account(a)]
    if not accounts:
        return render(
            "auth.html",
            status=400,
            error="Choose at least one account.",
            app_ok=True,
            app_id=app_id,
            state=state,
            redirect_uri=redirect_uri,
            accounts=rt.store.accounts(),
        )
    with rt.transaction():
        code = issue_auth_code(rt, accounts, redirect_uri)
    return redirect(_with_query(redirect_uri, auth_code=code, code=code, state=state), 302)


def invite_link(rt: Runtime, request: Request, token: str) -> Response:
    campaign = rt.store.campaign_by_invite_token(token)
    if not campaign:
        return render("base.html", status=404, error="This invite link does not exist.")
    if request.method == "POST":
        return _invite_action(rt, request, campaign)
    handle = normalize_handle(request.args.get("handle", ""))
    notice = _notice(request.args)
    if handle:
        try:
            linking.creator_handle(rt, handle)
        except Refused as refusal:
            return _invite_page(rt, campaign, "", status=refusal.status, error=refusal.message)
    return _invite_page(rt, campaign, handle, notice=notice)


def thumbnail(rt: Runtime, request: Request, video_id: str) -> Response:
    video = rt.store.video(video_id)
    label = f"@{video['handle']}" if video else "TikTok"
    return render("thumb.svg", mimetype="image/svg+xml", hue=_hue(video_id), label=label)


def profile_image(rt: Runtime, request: Request, handle: str) -> Response:
    return render("thumb.svg", mimetype="image/svg+xml", hue=_hue(handle), label=f"@{handle}")


def embed(rt: Runtime, request: Request, video_id: str) -> Response:
    video = rt.store.video(video_id)
    if not video or linking.is_removed(video, rt.now_ms()):
        return Response("This video is unavailable.", status=404, mimetype="text/plain")
    return render("embed.html", video=video)


def _invite_action(rt: Runtime, request: Request, campaign: Row) -> Response:
    form = request.form
    try:
        with rt.transaction() as work:
            handle = linking.creator_handle(rt, form.get("handle"))
            if form.get("action") == "publish":
                caption = form.get("caption", "")[:2200]
                tags = form.get("hashtags", "").replace(",", " ").split()
                video = linking.publish(rt, work, handle, caption, tags, False, campaign)
                done = {"published": video["video_id"]}
            else:
                linking.join(rt, campaign, handle)
                done = {"joined": "1"}
    except Refused as refusal:
        shown = normalize_handle(form.get("handle", ""))
        if refusal.reason in ("invalid_handle", "not_invited"):
            shown = ""
        return _invite_page(rt, campaign, shown, status=refusal.status, error=refusal.message)
    return redirect(f"{request.path}?{urlencode({'handle': handle, **done})}", 303)


def _invite_page(
    rt: Runtime,
    campaign: Row,
    handle: str,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    joined = bool(handle) and linking.has_joined(rt, campaign, handle)
    used = linking.posts_used(rt, campaign, handle) if joined else 0
    posts = (
        [v for v in rt.store.videos(handle) if v["campaign_id"] == campaign["campaign_id"]]
        if joined
        else []
    )
    return render(
        "invite.html",
        status=status,
        campaign=campaign,
        handle=handle,
        joined=joined,
        posts_used=used,
        posts_left=max(0, campaign["posts_per_creator"] - used),
        posts=posts,
        error=error,
        notice=notice,
    )


def _notice(args: Any) -> str | None:
    if args.get("published"):
        return f"Posted! Video {args['published']} is linked to this campaign."
    if args.get("joined"):
        return "You joined the campaign. You can post now."
    return None


def _authorization_problem(rt: Runtime, app_id: str, redirect_uri: str) -> str | None:
    if app_id != rt.config.app_id:
        return "Unknown app_id: this app cannot ask for authorization."
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "redirect_uri must be an absolute http(s) URL."
    return None


def _with_query(url: str, **params: str) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}{urlencode(params)}"


def _hue(seed: str) -> int:
    return int(hashlib.sha256(seed.encode()).hexdigest()[:4], 16) % 360


RULES = [
    Rule("/", methods=["GET"], endpoint=index),
    Rule("/portal/auth", methods=["GET", "POST"], endpoint=authorize),
    Rule("/t/<token>/", methods=["GET", "POST"], endpoint=invite_link),
    Rule("/media/<video_id>.svg", methods=["GET"], endpoint=thumbnail),
    Rule("/media/<video_id>/embed", methods=["GET"], endpoint=embed),
    Rule("/media/creator/<handle>.svg", methods=["GET"], endpoint=profile_image),
]
