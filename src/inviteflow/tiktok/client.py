"""TikTok API for Business client: one short method per endpoint, named after the contract.

The wire rules (contract §1) live here once: paths under /open_api/v1.3 with a trailing slash,
the `Access-Token` header, list/object query values JSON-encoded, POST bodies as JSON, and the
`{code, message, request_id, data}` envelope, whose failures `errors.error_for` maps.

Every call first takes a slot from the installation's rate limiter; a throttle answer starts the
shared cool-down. Reads (GET) are retried on retryable errors, a bounded number of times, with
exponential backoff and full jitter. Writes are never retried here: a write that timed out may
have created the campaign, order or link anyway, so the caller reconciles (invariant 4).
Request ids are logged; tokens, secrets and query strings (which may hold the app secret) never.

List calls send the current page and id-filter sizes (tiktok.sizes: a setting each, lowered
for every process once TikTok refused one). List methods take any number of ids and split
them by the current filter size. A refusal that points at a size halves it, is remembered,
and the call is retried once at half where a smaller call means the same thing: a first page,
a cursor page, or a smaller slice of the ids (the rest follows). Explicit size arguments are
sent as given (the doctor probes with them); a refusal of one larger than the current size
teaches nothing.
"""

import contextlib
import json
import logging
import random
import time
from collections.abc import Callable, Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Protocol, TypedDict, TypeVar, Unpack

from pydantic import BaseModel, ValidationError

from inviteflow import outbound
from inviteflow.core import metrics
from inviteflow.tiktok.errors import (
    SUCCESS_CODES,
    AuthError,
    InvalidParams,
    Throttled,
    TikTokError,
    UnexpectedResponse,
    error_for,
    transport_error,
)
from inviteflow.tiktok.schemas import (
    AccessToken,
    AccountInfo,
    Campaign,
    CampaignPage,
    CreatorProfile,
    CreatorStatus,
    CreatorStatuses,
    LinkInfo,
    LinkStatusPage,
    OrderCreated,
    OrderPage,
    OrderReportPage,
    PageInfo,
    Post,
    PostPage,
    ReportPage,
    Subscribed,
    Subscription,
    SubscriptionPage,
    TTOAccounts,
    VideoMetrics,
)
from inviteflow.tiktok.sizes import (
    CAMPAIGN_IDS,
    CAMPAIGNS,
    LIMIT,
    LINK_STATUS,
    ORDERS,
    PAGE_SIZE,
    REPORT,
    VIDEO_IDS,
    VIDEO_LIST,
    LocalSizes,
    Refusal,
    SizeBook,
    refusal,
)

log = logging.getLogger(__name__)

API_PREFIX = "/open_api/v1.3"
CAMPAIGNS_PER_PAGE_MAX = 5  # §5.4 (TIKTOK_CAMPAIGN_PAGE_SIZE may only be lower)
INSTALLATION = "installation"  # limiter key for calls made on behalf of no workspace

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class Limiter(Protocol):
    """The installation's rate limiter (ratelimit.RateLimiter); a grant is held per call."""

    def acquire(self, workspace_key: str, timeout: float) -> str: ...
    def release(self, grant: str) -> None: ...
    def start_cooldown(self, seconds: float | None = None) -> None: ...
    def cooldown_remaining(self) -> float: ...


class Paged(Protocol):
    @property
    def page_info(self) -> PageInfo: ...


P = TypeVar("P", bound=Paged)


class CampaignOptions(TypedDict, total=False):
    """Optional fields of §5.2; `campaign_type` is CAMPAIGN or BRAND_LINK."""

    campaign_type: str
    brand_profile_id: str
    brand_name: str
    campaign_description: str
    anchor_id: str
    advertiser_ids: list[str]
    default_spark_ads_requested_authorization_days: int
    send_notification: bool
    business_account_handle: str


class OrderOptions(TypedDict, total=False):
    """Optional fields of the legacy §6.4 order create; `campaign_code` adds to an existing code."""

    campaign_code: str
    order_source: str
    deliverables: list[dict[str, Any]]
    video_number: int
    default_spark_ads_requested_authorization_days: int


def backoff_delay(
    attempt: int, base: float = 0.5, cap: float = 8.0, rng: Callable[[], float] = random.random
) -> float:
    """Full jitter: uniform in [0, min(cap, base·2^attempt)), so retrying workers spread out."""
    return rng() * min(cap, base * 2**attempt)


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """§1.5: scalars as text, lists and objects as compact JSON; None and empty lists omitted."""
    encoded = {}
    for key, value in params.items():
        if value is None or (isinstance(value, list | tuple | dict) and not value):
            continue
        if isinstance(value, list | tuple | dict):
            encoded[key] = json.dumps(value, separators=(",", ":"))
        elif isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        else:
            encoded[key] = str(value)
    return encoded


def read_envelope(response: outbound.Response) -> dict[str, Any]:
    """The envelope's `data`, or the mapped exception; copes with non-2xx and non-JSON answers."""
    logid = response.headers.get("X-Tt-Logid")
    body = _json_or_none(response)
    if not isinstance(body, dict) or "code" not in body:
        _log_answer(response, None, logid, logid)
        message = f"HTTP {response.status_code} without a TikTok envelope: {response.text[:100]!r}"
        if response.is_success:
            raise UnexpectedResponse(None, message, logid, http_status=response.status_code)
        raise error_for(response.status_code, None, message, logid)
    code, request_id = _as_int(body.get("code")), str(body.get("request_id") or logid or "")
    _log_answer(response, code, request_id, logid)
    if code in SUCCESS_CODES and response.is_success:
        data = body.get("data")
        return data if isinstance(data, dict) else {}
    raise error_for(response.status_code, code, str(body.get("message") or ""), request_id or None)


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate `data`; a misfit is UnexpectedResponse, reported without the (secret) values."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise UnexpectedResponse(None, f"{model.__name__}: {where}") from None


class TikTokClient:
    """A TikTok API for Business client for one app (and optionally one account token)."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        access_token: str | None = None,
        transport: outbound.Transport | None = None,
        limiter: Limiter | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        *,
        workspace_key: str = INSTALLATION,
        limiter_timeout: float = 30.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sizes: SizeBook | None = None,
    ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self._access_token = access_token
        self.limiter = limiter
        self.workspace_key = workspace_key
        self.limiter_timeout = limiter_timeout
        self.max_retries = max_retries
        self.backoff = (backoff_base, backoff_cap)
        self.sizes = sizes or LocalSizes()  # from_settings: the book every process shares
        self._sleep = sleep
        self._rng = rng
        self._http = outbound.http_client(
            base_url=base_url.rstrip("/") + API_PREFIX, timeout=timeout, transport=transport
        )

    @classmethod
    def from_settings(
        cls, access_token: str | None = None, *, workspace_key: str = INSTALLATION, **options: Any
    ) -> "TikTokClient":
        """The client for this installation: base URL, app credentials and limiter from settings."""
        from django.conf import settings

        from inviteflow.tiktok.ratelimit import get_limiter
        from inviteflow.tiktok.sizes import shared

        options.setdefault("timeout", settings.TIKTOK_TIMEOUT_S)
        options.setdefault("limiter", get_limiter())
        options.setdefault("sizes", shared())
        return cls(
            settings.TIKTOK_API_BASE_URL,
            settings.TIKTOK_APP_ID,
            settings.TIKTOK_APP_SECRET,
            access_token,
            workspace_key=workspace_key,
            **options,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "TikTokClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # §3.1 Brand-side OAuth ------------------------------------------------------------------

    def exchange_auth_code(self, auth_code: str) -> AccessToken:
        """§3.1 POST /oauth2/access_token/: trade the consent redirect's auth_code for a token."""
        body: dict[str, Any] = {
            "app_id": self.app_id,
            "secret": self._app_secret,
            "auth_code": auth_code,
        }
        return parse(AccessToken, self._post("/oauth2/access_token/", body, token=False))

    def tto_accounts(self) -> list[str]:
        """§3.1 GET /tto/oauth2/tcm/: the TTO account ids this token reaches."""
        query: dict[str, Any] = {"app_id": self.app_id, "secret": self._app_secret}
        return parse(TTOAccounts, self._get("/tto/oauth2/tcm/", query)).tto_tcm_account_ids

    def account_info(self, account_id: str) -> AccountInfo:
        """§3.1 GET /tto/oauth2/info/: name, country and business verification of an account."""
        data = self._get("/tto/oauth2/info/", {"tto_tcm_account_id": account_id})
        return parse(AccountInfo, data)

    # §4 Creators ----------------------------------------------------------------------------

    def creator_status(self, account_id: str, handle_names: Sequence[str]) -> list[CreatorStatus]:
        """§4.1 GET /tto/tcm/creator/status/get/: IN / NOT_IN / INVALID per handle."""
        query: dict[str, Any] = {
            "tto_tcm_account_id": account_id,
            "handle_names": list(handle_names),
        }
        data = self._get("/tto/tcm/creator/status/get/", query)
        return parse(CreatorStatuses, data).onboarding_status

    def creator_profile(self, account_id: str, handle_name: str) -> CreatorProfile:
        """§4.2 GET /tto/tcm/creator/public/: a creator's public account insights."""
        query: dict[str, Any] = {"tto_tcm_account_id": account_id, "handle_name": handle_name}
        return parse(CreatorProfile, self._get("/tto/tcm/creator/public/", query))

    def creator_videos_page(
        self,
        account_id: str,
        handle_name: str,
        *,
        video_ids: Sequence[str] = (),
        cursor: int | None = None,
        limit: int | None = None,
    ) -> PostPage:
        """§4.3 GET /tto/tcm/creator/public/video/list/: one cursor page of public posts.

        `video_ids` are sent as given (creator_videos splits any number)."""
        ids = _Filter(VIDEO_IDS, list(video_ids))
        sizes = {LIMIT: self._size(VIDEO_LIST, LIMIT, limit), **ids.all()}
        query = partial(_cursor_query, _creator(account_id, handle_name), ids, cursor)
        return parse(PostPage, self._read(VIDEO_LIST, query, sizes, shrink={LIMIT})[0])

    def creator_videos(
        self,
        account_id: str,
        handle_name: str,
        *,
        video_ids: Sequence[str] = (),
        limit: int | None = None,
    ) -> Iterator[Post]:
        """§4.3 every public post (of any number of `video_ids`, when given), newest first,
        following the cursor until `has_more` is false."""

        def walk(ids: _Filter) -> Generator[Post, None, int]:
            return self._cursor_pages(_creator(account_id, handle_name), ids, limit)

        return _by_filter(VIDEO_IDS, video_ids, walk)

    # §5 Campaigns ---------------------------------------------------------------------------

    def create_campaign(
        self,
        account_id: str,
        campaign_name: str,
        handle_names: Sequence[str],
        **options: Unpack[CampaignOptions],
    ) -> Campaign:
        """§5.2 POST /tto/tcm/campaign/create/: a new campaign object and its invite link."""
        body: dict[str, Any] = {
            "tto_tcm_account_id": account_id,
            "campaign_name": campaign_name,
            "handle_names": list(handle_names),
            **options,
        }
        return parse(Campaign, self._post("/tto/tcm/campaign/create/", body))

    def add_creators_to_campaign(
        self,
        account_id: str,
        campaign_id: str,
        campaign_name: str,
        handle_names: Sequence[str],
        **options: Unpack[CampaignOptions],
    ) -> Campaign:
        """§5.2 with `campaign_id`: the create endpoint appends creators to that campaign.
        `campaign_name` is sent too: S3 marks it required on every create call (§13)."""
        body: dict[str, Any] = {
            "tto_tcm_account_id": account_id,
            "campaign_id": campaign_id,
            "campaign_name": campaign_name,
            "handle_names": list(handle_names),
            **options,
        }
        return parse(Campaign, self._post("/tto/tcm/campaign/create/", body))

    def update_campaign(
        self,
        account_id: str,
        campaign_id: str,
        campaign_type: str,
        *,
        handle_names: Sequence[str] | None = None,
        advertiser_ids: Sequence[str] | None = None,
        send_notification: bool | None = None,
    ) -> Campaign:
        """§5.3 POST /tto/tcm/campaign/update/: only creators, ad accounts and notification."""
        body: dict[str, Any] = {
            "tto_tcm_account_id": account_id,
            "campaign_id": campaign_id,
            "campaign_type": campaign_type,
            "send_notification": send_notification,
            "handle_names": _list_or_none(handle_names),
            "advertiser_ids": _list_or_none(advertiser_ids),
        }
        return parse(Campaign, self._post("/tto/tcm/campaign/update/", body))

    def campaigns_page(
        self,
        account_id: str,
        *,
        campaign_ids: Sequence[str] = (),
        campaign_type: str | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> CampaignPage:
        """§5.4 GET /tto/tcm/campaign/: one page (TikTok allows at most 5 campaigns per page).

        `campaign_ids` are sent as given (campaigns splits any number)."""
        _check_campaign_page_size(page_size)
        base = {"tto_tcm_account_id": account_id, "campaign_type": campaign_type}
        ids = _Filter(CAMPAIGN_IDS, list(campaign_ids))
        return parse(CampaignPage, self._one_page(CAMPAIGNS, base, ids, page, page_size))

    def campaigns(
        self,
        account_id: str,
        *,
        campaign_ids: Sequence[str] = (),
        campaign_type: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Campaign]:
        """§5.4 every campaign (of `campaign_type`, and of any number of `campaign_ids`, when
        given), page after page."""
        _check_campaign_page_size(page_size)
        base = {"tto_tcm_account_id": account_id, "campaign_type": campaign_type}

        def walk(ids: _Filter) -> Generator[Campaign, None, int]:
            read = partial(parse, CampaignPage)
            return self._pages(CAMPAIGNS, base, ids, page_size, read, _campaigns_of)

        return _by_filter(CAMPAIGN_IDS, campaign_ids, walk)

    # §6 Linking requests --------------------------------------------------------------------

    def link_video(self, account_id: str, campaign_id: str, video_id: str) -> LinkInfo:
        """§6.1 POST /tto/tcm/campaign/link/ LINK: ask the creator to link a public video."""
        return self._link(account_id, campaign_id, video_id, "LINK")

    def revoke_link(self, account_id: str, campaign_id: str, video_id: str) -> LinkInfo:
        """§6.1 POST /tto/tcm/campaign/link/ REVOKE: withdraw a linking request."""
        return self._link(account_id, campaign_id, video_id, "REVOKE")

    def _link(self, account_id: str, campaign_id: str, video_id: str, action: str) -> LinkInfo:
        body: dict[str, Any] = {
            "tto_tcm_account_id": account_id,
            "campaign_id": campaign_id,
            "video_id": video_id,
            "action": action,
        }
        return parse(LinkInfo, self._post("/tto/tcm/campaign/link/", body))

    def link_statuses_page(
        self,
        account_id: str,
        *,
        campaign_ids: Sequence[str] = (),
        handle_names: Sequence[str] = (),
        campaign_type: str | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> LinkStatusPage:
        """§6.2 GET /tto/tcm/campaign/link/status/: one page of linking-request states.

        `campaign_ids` are sent as given (link_statuses splits any number)."""
        base = _link_status_base(account_id, handle_names, campaign_type)
        ids = _Filter(CAMPAIGN_IDS, list(campaign_ids))
        return parse(LinkStatusPage, self._one_page(LINK_STATUS, base, ids, page, page_size))

    def link_statuses(
        self,
        account_id: str,
        *,
        campaign_ids: Sequence[str] = (),
        handle_names: Sequence[str] = (),
        campaign_type: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[LinkInfo]:
        """§6.2 every linking request matching the filters (any number of `campaign_ids`),
        page after page."""
        base = _link_status_base(account_id, handle_names, campaign_type)

        def walk(ids: _Filter) -> Generator[LinkInfo, None, int]:
            read = partial(parse, LinkStatusPage)
            return self._pages(LINK_STATUS, base, ids, page_size, read, _video_infos_of)

        return _by_filter(CAMPAIGN_IDS, campaign_ids, walk)

    # §7 Report ------------------------------------------------------------------------------

    def report_page(
        self,
        account_id: str,
        campaign_id: str,
        country_code: str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> ReportPage:
        """§7 GET /tto/tcm/report/: one page of per-video metrics for one campaign and region.

        The region goes in the `Country-Code` header; `daily_stats` come only with both dates.
        """
        base = _report_base(account_id, campaign_id, start_date, end_date)
        headers = {"Country-Code": country_code}
        data = self._one_page(REPORT, base, NO_FILTER, page, page_size, headers=headers)
        return parse(ReportPage, data)

    def report(
        self,
        account_id: str,
        campaign_id: str,
        country_code: str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        page_size: int | None = None,
    ) -> Iterator[VideoMetrics]:
        """§7 every linked video's metrics, page after page."""
        base = _report_base(account_id, campaign_id, start_date, end_date)
        read, headers = partial(parse, ReportPage), {"Country-Code": country_code}
        return self._pages(REPORT, base, NO_FILTER, page_size, read, _videos_of, headers)

    # §6.4 Legacy orders: campaign codes -----------------------------------------------------

    def create_campaign_code(
        self,
        tcm_account_id: str,
        brand_name: str,
        description: str,
        handle_names: Sequence[str],
        **options: Unpack[OrderOptions],
    ) -> OrderCreated:
        """§6.4 POST /tcm/order/create/v2/: orders bound to a campaign code (and invite link)."""
        body: dict[str, Any] = {
            "tcm_account_id": tcm_account_id,
            "brand_name": brand_name,
            "description": description,
            "handle_names": list(handle_names),
            **options,
        }
        return parse(OrderCreated, self._post("/tcm/order/create/v2/", body))

    def get_order(
        self,
        tcm_account_id: str,
        *,
        order_ids: Sequence[str] = (),
        campaign_code: str | None = None,
        invite_link: str | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> OrderPage:
        """§6.4 GET /tcm/order/get/v2/ by exactly one of order ids, campaign code, invite link."""
        selectors = {
            "ORDER_ID": ("order_ids", list(order_ids)),
            "CAMPAIGN_CODE": ("campaign_code", campaign_code),
            "INVITE_LINK": ("invite_link", invite_link),
        }
        given = {kind: pair for kind, pair in selectors.items() if pair[1]}
        if len(given) != 1:
            raise ValueError("get_order: give exactly one of order_ids, campaign_code, invite_link")
        [(query_type, (name, value))] = given.items()
        base = {"tcm_account_id": tcm_account_id, "query_type": query_type, name: value}
        return parse(OrderPage, self._one_page(ORDERS, base, NO_FILTER, page, page_size))

    def order_report_page(
        self,
        tcm_account_id: str,
        order_ids: Sequence[str],
        *,
        page: int = 1,
        page_size: int | None = None,
    ) -> OrderReportPage:
        """§6.4/§13 GET /tcm/report/get/v2/ (S1): metrics of videos linked through campaign-code
        orders, one insight per order and video; no Country-Code (one global figure)."""
        query: dict[str, Any] = {
            "tcm_account_id": tcm_account_id,
            "order_ids": list(order_ids),
            "page": page,
            "page_size": page_size,
        }
        return parse(OrderReportPage, self._get("/tcm/report/get/v2/", query))

    def order_report(
        self, tcm_account_id: str, order_ids: Sequence[str], *, page_size: int | None = None
    ) -> Iterator[VideoMetrics]:
        """Every video of the orders' legacy report, as the TTO report's per-video metrics."""

        def fetch(page: int) -> OrderReportPage:
            return self.order_report_page(tcm_account_id, order_ids, page=page, page_size=page_size)

        for insight in _paged(fetch, lambda result: result.insights):
            video = {**insight.metrics, "video_id": insight.dimensions.video_id}
            yield parse(VideoMetrics, video)

    # §9.1 Webhook subscriptions (app credentials, no Access-Token header) -------------------

    def subscribe(self, account_id: str, callback_url: str, entity: str = "TCM_VIDEOS") -> str:
        """§9.1 POST /subscription/subscribe/: this token's video-linking events to `callback_url`.

        Returns the subscription id. Revoking the token silently ends the subscription.
        """
        detail = {"access_token": self._require_token(), "tto_tcm_account_id": account_id}
        body: dict[str, Any] = {
            "app_id": self.app_id,
            "secret": self._app_secret,
            "subscribe_entity": entity,
            "callback_url": callback_url,
            "subscription_detail": detail,
        }
        data = self._post("/subscription/subscribe/", body, token=False)
        return parse(Subscribed, data).subscription_id

    def subscriptions_page(
        self, entity: str = "TCM_VIDEOS", *, page: int = 1, page_size: int | None = None
    ) -> SubscriptionPage:
        """§9.1 GET /subscription/get/: one page of this app's subscriptions."""
        query: dict[str, Any] = {
            "app_id": self.app_id,
            "secret": self._app_secret,
            "subscribe_entity": entity,
            "page": page,
            "page_size": page_size,
        }
        data = self._get("/subscription/get/", query, token=False)
        return parse(SubscriptionPage, data)

    def subscriptions(
        self, entity: str = "TCM_VIDEOS", *, page_size: int | None = None
    ) -> Iterator[Subscription]:
        """§9.1 every subscription of this app to `entity`."""

        def fetch(page: int) -> SubscriptionPage:
            return self.subscriptions_page(entity, page=page, page_size=page_size)

        return _paged(fetch, lambda result: result.subscriptions)

    def unsubscribe(self, subscription_id: str) -> None:
        """§9.1 POST /subscription/unsubscribe/."""
        body: dict[str, Any] = {
            "app_id": self.app_id,
            "secret": self._app_secret,
            "subscription_id": subscription_id,
        }
        self._post("/subscription/unsubscribe/", body, token=False)

    # Sizes (tiktok.sizes) ---------------------------------------------------------------------

    def _size(self, endpoint: str, parameter: str, requested: int | None = None) -> int:
        """`requested` when given, else the current size (its setting, or less once refused)."""
        if requested is None:
            return self.sizes.current(endpoint, parameter)
        if requested < 1:
            raise ValueError(f"{parameter}: must be at least 1, not {requested}")
        return requested

    def _chunk(self, endpoint: str, ids: "_Filter") -> dict[str, int]:
        """How many of `ids` the next call asks about: a filter size, or all that are left."""
        if not ids.ids:
            return {}
        return {ids.parameter: min(self._size(endpoint, ids.parameter), len(ids.ids))}

    def _one_page(
        self,
        endpoint: str,
        base: dict[str, Any],
        ids: "_Filter",
        page: int,
        page_size: int | None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One page of a page/page_size listing, with every id given. Only page 1 is retried
        smaller: a smaller first page is still the first page, a smaller page 3 is not page 3."""
        size = self._size(endpoint, PAGE_SIZE, page_size)
        query = partial(_page_query, base, ids, _Place(page, size))
        sizes = {PAGE_SIZE: size, **ids.all()}
        shrink = {PAGE_SIZE} if page == 1 else set()
        return self._read(endpoint, query, sizes, shrink=shrink, headers=headers)[0]

    def _pages(
        self,
        endpoint: str,
        base: dict[str, Any],
        ids: "_Filter",
        page_size: int | None,
        read_page: Callable[[dict[str, Any]], P],
        items: Callable[[P], list[T]],
        headers: Mapping[str, str] | None = None,
    ) -> Generator[T, None, int]:
        """Every item of a page/page_size listing for a filter size of `ids`; returns how many
        ids it asked about. A page size halved on the way reads on from the same place."""
        place = _Place(1, self._size(endpoint, PAGE_SIZE, page_size))
        sizes = {PAGE_SIZE: place.size, **self._chunk(endpoint, ids)}
        first = True
        while True:
            shrink = set(sizes) if first else {PAGE_SIZE}  # the ids are fixed after page 1
            query = partial(_page_query, base, ids, place)
            data, sizes = self._read(endpoint, query, sizes, shrink=shrink, headers=headers)
            place, first = place.at(sizes[PAGE_SIZE]), False
            result = read_page(data)
            batch = items(result)
            yield from batch[place.skip :]
            if not _more_pages(result.page_info, place.page, len(batch)):
                return sizes.get(ids.parameter, 0)
            place = place.next()

    def _cursor_pages(
        self, base: dict[str, Any], ids: "_Filter", limit: int | None
    ) -> Generator[Post, None, int]:
        """§4.3 every post for a filter size of `ids`, following the cursor; returns how many
        ids it asked about. A cursor page ("posts before this") may be smaller at any point."""
        sizes = {LIMIT: self._size(VIDEO_LIST, LIMIT, limit), **self._chunk(VIDEO_LIST, ids)}
        cursor: int | None = None
        while True:
            shrink = set(sizes) if cursor is None else {LIMIT}  # the ids are fixed after page 1
            query = partial(_cursor_query, base, ids, cursor)
            data, sizes = self._read(VIDEO_LIST, query, sizes, shrink=shrink)
            page = parse(PostPage, data)
            yield from page.posts
            info = page.page_info
            if not (info.has_more and page.posts) or info.cursor in (None, cursor):
                return sizes.get(ids.parameter, 0)
            cursor = info.cursor

    def _read(
        self,
        endpoint: str,
        query: Callable[[Mapping[str, int]], dict[str, Any]],
        sizes: dict[str, int],
        *,
        shrink: Collection[str],
        headers: Mapping[str, str] | None = None,
    ) -> tuple[dict[str, Any], dict[str, int]]:
        """GET a list endpoint with `sizes` (parameter → items asked for) placed by `query`.

        A refusal that points at a size lowers it for every process (`_learn`); a size in
        `shrink` is then retried once, lower, unless this client makes no retries (a web
        request). Returns the answer's data and the sizes that got it."""
        try:
            return self._get(endpoint, query(sizes), headers=headers), sizes
        except InvalidParams as exc:
            lower = self._learn(endpoint, sizes, exc)
            if lower is None or lower[0] not in shrink or not self.max_retries:
                raise
            parameter, size = lower
        smaller = {**sizes, parameter: size}
        try:
            data = self._get(endpoint, query(smaller), headers=headers)
        except InvalidParams as exc:
            self._learn(endpoint, smaller, exc)  # the next call starts lower still
            raise
        self.sizes.confirm(endpoint, parameter, size)
        return data, smaller

    def _learn(
        self, endpoint: str, sent: Mapping[str, int], exc: InvalidParams
    ) -> tuple[str, int] | None:
        """The size to send after TikTok refused `sent`, or None when the refusal is not about
        a size. A refused size above the current one (an explicit request) teaches nothing:
        the current size is sent instead."""
        found = refusal(exc, sent)
        if found is None:
            return None
        current = self.sizes.current(endpoint, found.parameter)
        if found.sent > current:
            return found.parameter, current
        _warn_refused(endpoint, found, current, exc)
        self.sizes.learn(endpoint, found.parameter, found.smaller, found.sent, exc.message)
        return found.parameter, found.smaller

    # The wire ---------------------------------------------------------------------------------

    def _get(
        self,
        path: str,
        query: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        token: bool = True,
    ) -> dict[str, Any]:
        return self._call("GET", path, token, params=encode_params(query), headers=headers or {})

    def _post(self, path: str, body: Mapping[str, Any], *, token: bool = True) -> dict[str, Any]:
        payload = {key: value for key, value in body.items() if value is not None}
        return self._call("POST", path, token, json=payload, headers={})

    def _call(self, method: str, path: str, token: bool, **request: Any) -> dict[str, Any]:
        """One logical call: reads retried on retryable errors (bounded, backoff), writes once."""
        if token:
            request["headers"] = {**request["headers"], "Access-Token": self._require_token()}
        retries = self.max_retries if method == "GET" else 0
        attempt = 0
        while True:
            try:
                return self._send(method, path, **request)
            except TikTokError as exc:
                if attempt >= retries or not _retry_soon(exc):
                    raise
                delay = backoff_delay(attempt, *self.backoff, rng=self._rng)
                log.info("TikTok %s %s: %r; retry in %.2f s", method, path, exc, delay)
                self._sleep(delay)
                attempt += 1

    def _send(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        """One HTTP exchange, inside the installation's rate limit."""
        with self._rate_limit_slot():
            try:
                response = self._http.request(method, path, **request)
            except outbound.TransportError as exc:
                log.warning("TikTok %s %s: %s", method, path, type(exc).__name__)
                metrics.count_tiktok_call(method, path, None, None)
                raise transport_error(exc, is_read=method == "GET") from exc
        try:
            return read_envelope(response)
        except Throttled:
            if self.limiter is not None:
                self.limiter.start_cooldown()
            raise

    @contextlib.contextmanager
    def _rate_limit_slot(self) -> Iterator["_Slot"]:
        """Hold a place in the shared rate limit from before sending until the answer is in."""
        slot = _Slot(self.limiter)
        if self.limiter is not None:
            slot.grant = self.limiter.acquire(self.workspace_key, self.limiter_timeout)
        try:
            yield slot
        finally:
            slot.release()

    def _require_token(self) -> str:
        if not self._access_token:
            raise AuthError(40104, "no access token: connect the workspace to TikTok first")
        return self._access_token


class _Slot:
    """A granted place in the rate limit, held until the call's answer (or failure) is in.

    TikTok counts a call when it arrives, which on a busy machine or a jittery network can be
    long after it was sent; it has certainly counted it by the time it answers. The limiter
    takes the least recent round trip off, so a steady latency costs no throughput (ratelimit).
    """

    def __init__(self, limiter: Limiter | None) -> None:
        self.limiter = limiter
        self.grant: str | None = None

    def release(self) -> None:
        if self.limiter is not None and self.grant is not None:
            grant, self.grant = self.grant, None
            self.limiter.release(grant)


def _retry_soon(exc: TikTokError) -> bool:
    """Throttling (ours or TikTok's) is retryable, but only after the shared cool-down, which
    outlasts any backoff: the caller reschedules."""
    return exc.retryable and not isinstance(exc, Throttled)


def _paged(fetch: Callable[[int], P], items: Callable[[P], list[T]]) -> Iterator[T]:
    """Items of page 1, 2, … until `page_info` says there are no more."""
    page = 1
    while True:
        result = fetch(page)
        batch = items(result)
        yield from batch
        if not _more_pages(result.page_info, page, len(batch)):
            return
        page += 1


def _more_pages(info: PageInfo, page: int, got: int) -> bool:
    if info.total_page:
        return page < info.total_page and got > 0
    return got > 0 and info.page_size > 0 and got >= info.page_size  # no total: a full page


@dataclass(frozen=True)
class _Filter:
    """An id filter (`campaign_ids`, `video_ids`): the ids still to ask about, of which a call
    sends the first `sizes[parameter]`."""

    parameter: str
    ids: list[str]

    def all(self) -> dict[str, int]:
        """Its size when every id goes in one call (the one-page methods)."""
        return {self.parameter: len(self.ids)} if self.ids else {}

    def place(self, query: dict[str, Any], sizes: Mapping[str, int]) -> dict[str, Any]:
        if self.ids:
            query[self.parameter] = self.ids[: sizes[self.parameter]]
        return query


NO_FILTER = _Filter("", [])


def _by_filter(
    parameter: str, ids: Sequence[str], walk: Callable[[_Filter], Generator[T, None, int]]
) -> Iterator[T]:
    """`walk` over any number of `ids`, as many at a time as a call takes (once, unfiltered,
    when there are none)."""
    remaining = list(ids)
    while True:
        used = yield from walk(_Filter(parameter, remaining))
        remaining = remaining[used:]
        if not remaining or used < 1:
            return


@dataclass(frozen=True)
class _Place:
    """Where a page/page_size listing is read: page `page` of `size` items, whose first
    `skip` items were read already."""

    page: int
    size: int
    skip: int = 0

    def at(self, size: int) -> "_Place":
        """The same place in pages of `size` (the pages before it taken as full)."""
        if size == self.size:
            return self
        done = (self.page - 1) * self.size + self.skip
        return _Place(done // size + 1, size, done % size)

    def next(self) -> "_Place":
        return _Place(self.page + 1, self.size)


def _page_query(
    base: dict[str, Any], ids: _Filter, place: _Place, sizes: Mapping[str, int]
) -> dict[str, Any]:
    """The page at `place`, in pages of the size in `sizes`."""
    here = place.at(sizes[PAGE_SIZE])
    return ids.place({**base, "page": here.page, "page_size": here.size}, sizes)


def _cursor_query(
    base: dict[str, Any], ids: _Filter, cursor: int | None, sizes: Mapping[str, int]
) -> dict[str, Any]:
    return ids.place({**base, "cursor": cursor, "limit": sizes[LIMIT]}, sizes)


def _creator(account_id: str, handle_name: str) -> dict[str, Any]:
    return {"tto_tcm_account_id": account_id, "handle_name": handle_name}


def _link_status_base(
    account_id: str, handle_names: Sequence[str], campaign_type: str | None
) -> dict[str, Any]:
    return {
        "tto_tcm_account_id": account_id,
        "handle_names": list(handle_names),
        "campaign_type": campaign_type,
    }


def _report_base(
    account_id: str, campaign_id: str, start_date: date | str | None, end_date: date | str | None
) -> dict[str, Any]:
    return {
        "tto_tcm_account_id": account_id,
        "campaign_id": campaign_id,
        "start_date": start_date,
        "end_date": end_date,
    }


def _campaigns_of(page: CampaignPage) -> list[Campaign]:
    return page.campaigns


def _video_infos_of(page: LinkStatusPage) -> list[LinkInfo]:
    return page.video_infos


def _videos_of(page: ReportPage) -> list[VideoMetrics]:
    return page.videos


def _check_campaign_page_size(page_size: int | None) -> None:
    if page_size is not None and not 1 <= page_size <= CAMPAIGNS_PER_PAGE_MAX:
        raise ValueError(f"page_size: must be 1 to {CAMPAIGNS_PER_PAGE_MAX}, not {page_size}")


def _warn_refused(endpoint: str, found: Refusal, current: int, exc: InvalidParams) -> None:
    """Loud: every process sends less from now on, and TikTok's bound is news to us."""
    log.warning(
        "TikTok refused %s=%d on %s (code %s: %r): %s %d → %d for every process",
        found.parameter,
        found.sent,
        endpoint,
        exc.code,
        exc.message,
        found.parameter,
        current,
        found.smaller,
    )


def _list_or_none(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)


def _json_or_none(response: outbound.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _log_answer(
    response: outbound.Response, code: int | None, request_id: str | None, logid: str | None
) -> None:
    failed = code not in SUCCESS_CODES or not response.is_success
    request = response.request
    metrics.count_tiktok_call(request.method, request.url.path, response.status_code, code)
    log.log(
        logging.WARNING if failed else logging.DEBUG,
        "TikTok %s %s: HTTP %s code %s request_id %s logid %s",
        response.request.method,
        response.request.url.path,
        response.status_code,
        code,
        request_id,
        logid,
    )
