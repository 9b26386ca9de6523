"""`inviteflow tiktok doctor`: check a workspace's real TikTok account before the first campaign.

Read-only probes of every endpoint inviteflow uses, each at the configured size and one step
above: PASS (answered, and the answer fits our schemas), LIMIT (TikTok refused the size; the
largest size it took is found by halving), FAIL (with TikTok's code and message), SKIP (nothing
to probe with). Every request and answer is saved, redacted (tokens, secrets, creator data), under
`var/tiktok-doctor/<timestamp>/`, ready to attach to a bug report or to turn into a test fixture.

`write_probe` (opt-in) creates one test campaign object and reports how its name came back,
whether `invite_link` was there at once or later, and whether the object is listed.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from inviteflow import outbound
from inviteflow.accounts.models import Workspace
from inviteflow.tiktok import errors
from inviteflow.tiktok.client import CAMPAIGNS_PER_PAGE_MAX, TikTokClient
from inviteflow.tiktok.connections import NotConnected, get_connection

PASS, FAIL, LIMIT, SKIP = "PASS", "FAIL", "LIMIT", "SKIP"
SIZE_ERRORS = (errors.InvalidParams,)  # 40000 / 40002 / 40011 when a size is too big
REDACTED = "«redacted»"
SECRET_KEYS = {"access_token", "refresh_token", "secret", "app_secret", "auth_code"}
PERSONAL_KEYS = {"handle_name", "handle_names", "display_name", "nickname", "avatar_url",
                 "profile_image", "email", "bio", "creator_id", "open_id"}  # fmt: skip
PROBE_NAME = "inviteflow doctor probe"
INVITE_LINK_WAIT_S = 15.0


@dataclass
class Result:
    probe: str
    endpoint: str
    verdict: str
    size: int | None = None
    code: int | None = None
    message: str = ""


@dataclass
class Context:
    """What the probes share: the client, the account, and what earlier probes found."""

    client: TikTokClient
    account_id: str
    country: str
    handle: str
    campaign_ids: list[str] = field(default_factory=list)
    invite_link: str = ""


@dataclass
class Report:
    workspace: str
    started_at: str
    results: list[Result] = field(default_factory=list)
    write_probe: dict[str, Any] = field(default_factory=dict)
    saved_to: str = ""

    @property
    def ok(self) -> bool:
        return all(result.verdict != FAIL for result in self.results)


@dataclass(frozen=True)
class Probe:
    """One endpoint; `call(ctx, size)` makes one read at that size (None: the endpoint has
    no size to probe)."""

    name: str
    endpoint: str
    call: Callable[[Context, int | None], Any]
    size: Callable[[], int] | None = None
    needs: str = ""  # a Context field that must be set first ("campaign_ids", "invite_link")


def _size(name: str) -> Callable[[], int]:
    """The configured size, read when the probe runs (tests and operators change it)."""
    return lambda: int(getattr(settings, name))


def _list_objects(ctx: Context, size: int | None) -> Any:
    page = ctx.client.campaigns_page(
        ctx.account_id, campaign_type="CAMPAIGN", page_size=size or CAMPAIGNS_PER_PAGE_MAX
    )
    ctx.campaign_ids = ctx.campaign_ids or [c.campaign_id for c in page.campaigns]
    ctx.invite_link = ctx.invite_link or next((c.invite_link for c in page.campaigns), "")
    return page


def _ids(ctx: Context, size: int) -> list[str]:
    """`size` campaign ids: the account's, padded with ids no object has (an id filter
    answers the ones it knows)."""
    padding = [str(7_000_000_000_000_000_000 + n) for n in range(size)]
    return (ctx.campaign_ids + padding)[:size]


PROBES = [
    Probe("account", "/tto/oauth2/info/", lambda c, s: c.client.account_info(c.account_id)),
    # Documented at most 5 a page (§5.4); the client never asks for more.
    Probe("campaign list", "/tto/tcm/campaign/", _list_objects),
    Probe("campaigns by id", "/tto/tcm/campaign/",
          lambda c, s: c.client.campaigns_page(c.account_id, campaign_ids=_ids(c, s or 1)),
          size=_size("TIKTOK_IDS_PER_CALL")),
    Probe("creator status", "/tto/tcm/creator/status/get/",
          lambda c, s: c.client.creator_status(c.account_id, [c.handle])),
    Probe("creator public posts", "/tto/tcm/creator/public/video/list/",
          lambda c, s: c.client.creator_videos_page(c.account_id, c.handle, limit=s),
          size=_size("TIKTOK_VIDEO_LIST_LIMIT")),
    Probe("linking requests", "/tto/tcm/campaign/link/status/",
          lambda c, s: c.client.link_statuses_page(
              c.account_id, campaign_ids=c.campaign_ids[:1], page_size=s),
          size=_size("TIKTOK_LINK_STATUS_PAGE_SIZE"), needs="campaign_ids"),
    Probe("report", "/tto/tcm/report/",
          lambda c, s: c.client.report_page(c.account_id, c.campaign_ids[0], c.country,
                                            page_size=s),
          size=_size("TIKTOK_REPORT_PAGE_SIZE"), needs="campaign_ids"),
    Probe("campaign-code orders (legacy)", "/tcm/order/get/v2/",
          lambda c, s: c.client.get_order(c.account_id, invite_link=c.invite_link, page_size=s),
          size=_size("TIKTOK_ORDER_PAGE_SIZE"), needs="invite_link"),
    Probe("webhook subscriptions", "/subscription/get/",
          lambda c, s: c.client.subscriptions_page(page_size=s), size=lambda: 10),
]  # fmt: skip


def run(workspace: Workspace, *, handle: str = "tiktok", write_probe: bool = False) -> Report:
    """Probe every endpoint for the workspace's connection; save the redacted exchanges."""
    connection = get_connection(workspace)
    if connection is None:
        raise NotConnected(f"{workspace.name} is not connected to TikTok: connect it first.")
    recorder = outbound.RecordingTransport()
    report = Report(workspace.slug, timezone.now().strftime("%Y%m%d-%H%M%S"))
    client = TikTokClient.from_settings(
        connection.access_token, workspace_key=workspace.slug, transport=recorder, max_retries=0
    )
    with client:
        ctx = Context(client, connection.account_id, connection.country or "US", handle)
        report.results = [result for probe in PROBES for result in check(probe, ctx)]
        if write_probe:
            report.write_probe = probe_write(ctx)
    secrets_ = [connection.access_token, settings.TIKTOK_APP_SECRET]
    report.saved_to = str(save(report, recorder.exchanges, secrets_))
    return report


def check(probe: Probe, ctx: Context) -> list[Result]:
    """The probe at the configured size, then one step above (or down to what TikTok takes)."""
    if probe.needs and not getattr(ctx, probe.needs):
        return [Result(probe.name, probe.endpoint, SKIP, message=f"no {probe.needs} to ask about")]
    if probe.size is None:
        return [_attempt(probe, ctx, None)]
    configured = probe.size()
    first = _attempt(probe, ctx, configured)
    if first.verdict == LIMIT:
        return [first, _largest_accepted(probe, ctx, configured)]
    if first.verdict == PASS:
        above = _attempt(probe, ctx, configured + 1)
        return [first, above]
    return [first]


def _attempt(probe: Probe, ctx: Context, size: int | None) -> Result:
    result = Result(probe.name, probe.endpoint, PASS, size)
    try:
        probe.call(ctx, size)
    except SIZE_ERRORS as exc:
        verdict = LIMIT if size is not None and size > 1 else FAIL
        result.verdict, result.code, result.message = verdict, exc.code, exc.message
    except errors.TikTokError as exc:
        result.verdict, result.code, result.message = FAIL, exc.code, exc.message
    return result


def _largest_accepted(probe: Probe, ctx: Context, refused: int) -> Result:
    size = refused
    while size > 1:
        size //= 2
        result = _attempt(probe, ctx, size)
        if result.verdict == PASS:
            result.message = f"TikTok took at most {size} here (refused {refused})"
            return result
    return Result(probe.name, probe.endpoint, FAIL, 1, message="refused even a size of 1")


# -- The write probe ---------------------------------------------------------------------------


def probe_write(ctx: Context) -> dict[str, Any]:
    """Create one test campaign object; how does TikTok echo it back?"""
    name = f"{PROBE_NAME} {timezone.now():%Y-%m-%d %H:%M:%S} é"
    try:
        made = ctx.client.create_campaign(
            ctx.account_id, name, [ctx.handle], campaign_type="CAMPAIGN",
            campaign_description="Created by inviteflow tiktok doctor --write-probe",
        )  # fmt: skip
    except errors.TikTokError as exc:
        return {"created": False, "code": exc.code, "message": exc.message}
    found = _read_back(ctx, made.campaign_id, wait=not made.invite_link)
    return {
        "created": True,
        "campaign_id": made.campaign_id,
        "name_sent": name,
        "name_answered": made.campaign_name,
        "name_listed": found.campaign_name if found else None,
        "invite_link_at_once": bool(made.invite_link),
        "invite_link_later": bool(found and found.invite_link),
        "listed": found is not None,
    }


def _read_back(ctx: Context, campaign_id: str, *, wait: bool) -> Any:
    deadline = time.monotonic() + (INVITE_LINK_WAIT_S if wait else 0)
    while True:
        page = ctx.client.campaigns_page(ctx.account_id, campaign_ids=[campaign_id])
        found = next((c for c in page.campaigns if c.campaign_id == campaign_id), None)
        if (found and found.invite_link) or time.monotonic() >= deadline:
            return found
        time.sleep(1.0)


# -- Saving, redacted --------------------------------------------------------------------------


def save(report: Report, exchanges: list[tuple[Any, Any]], secrets_: list[str]) -> Path:
    folder = Path(settings.VAR_DIR) / "tiktok-doctor" / f"{report.started_at}-{report.workspace}"
    folder.mkdir(parents=True, exist_ok=True)
    for number, (request, response) in enumerate(exchanges, start=1):
        record = {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.url.params),
            "status": response.status_code,
            "answer": _json(response),
        }
        text = json.dumps(redact(record), indent=2, ensure_ascii=False)
        (folder / f"{number:02d}{_slug(request.url.path)}.json").write_text(_scrub(text, secrets_))
    summary = json.dumps(asdict(report) | {"saved_to": str(folder)}, indent=2)
    (folder / "report.json").write_text(_scrub(summary, secrets_))
    return folder


def redact(value: Any, key: str = "") -> Any:
    """Secrets and creators' personal data replaced; ids, figures and shapes kept."""
    if key in SECRET_KEYS or key in PERSONAL_KEYS:
        return REDACTED if not isinstance(value, list) else [REDACTED for _ in value]
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    if isinstance(value, str) and value[:1] in "[{":
        decoded = _maybe_json(value)  # GET parameters are JSON-encoded lists and objects
        return value if decoded is None else json.dumps(redact(decoded, key))
    return value


def _scrub(text: str, secrets_: list[str]) -> str:
    """Belt and braces: no secret survives anywhere in a saved file."""
    for secret in filter(None, secrets_):
        text = text.replace(secret, REDACTED)
    return text


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]


def _maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).rstrip("-")


def latest_report(workspace: Workspace) -> dict[str, Any] | None:
    """The workspace's newest saved report (for the connection page), or None."""
    folders = sorted((Path(settings.VAR_DIR) / "tiktok-doctor").glob(f"*-{workspace.slug}"))
    for folder in reversed(folders):
        summary = _maybe_json((folder / "report.json").read_text()) if folder.is_dir() else None
        if isinstance(summary, dict) and summary.get("workspace") == workspace.slug:
            return summary
    return None


def table(report: Report) -> str:
    """The results as a plain-text table for the terminal."""
    rows = [("PROBE", "ENDPOINT", "SIZE", "RESULT", "DETAIL")]
    for r in report.results:
        detail = f"{r.code}: {r.message}" if r.code is not None else r.message
        rows.append((r.probe, r.endpoint, "" if r.size is None else str(r.size), r.verdict, detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    )
