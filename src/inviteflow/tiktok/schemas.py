"""Typed views of TikTok's response `data`, tolerant of every shape the contract lists.

Sources disagree on wire types (contract §1.4, §5.2, §6.1, §7.3, §12.8, §13), and live answers
omit empty fields, so every model ignores unknown keys, treats null/""/[]/{} as absent, and
normalises the alternative shapes (flat or nested DM info, views-by-source object or array,
retention string or list, timestamp string or int). Metrics TikTok did not send stay None
rather than 0, so history never records a false zero.

Loose numbers, per field:
- IDs are strings; an integer id becomes its decimal string (ids exceed 2^53, so a float id,
  already rounded by whoever wrote it, is refused).
- Whole numbers accept 1234, 1234.0, "1234" and "1234.5", rounded to the nearest integer with
  halves away from zero ("12.5" → 13; S1's Go client truncates instead, §13).
- Fractions accept numbers and numeric strings; NaN and infinities are not numbers.
- A metric that is not a number reads as "not sent" (None) and is logged; a structural number
  (page info, cursor) that is not one fails the answer, as pagination cannot guess.

Malformed items, per list: where an item only describes (audience buckets, daily rows, views
by source, labels, hashtags, id lists), a malformed one is dropped and logged on
`inviteflow.tiktok.schemas`, and the rest is kept. Where absence means something (campaigns,
posts, link requests, orders, report videos, failed handles), a malformed item fails the
answer instead: dropping a campaign would make it look missing and get it created twice.

Whatever the answer, parsing raises nothing but pydantic's ValidationError, which
`client.parse` turns into UnexpectedResponse.
"""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

log = logging.getLogger(__name__)

NUMBER_LIMIT = 2**63  # S1 reads numbers as int64; beyond is garbage (and costly to build)
EXACT_FLOAT_LIMIT = 2**53  # floats above this cannot carry an id exactly


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _absent_when_empty(cls, data: Any) -> Any:
        """null, "", [] and {} mean "not sent": let the field default apply."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not _is_empty(v)}
        return data


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


# Logging what was dropped ------------------------------------------------------------------


def _warn(info: ValidationInfo, why: str) -> None:
    """Which model and field of TikTok's answer lost something, and why."""
    model = (info.config or {}).get("title", "?")
    log.warning("TikTok answer %s.%s: %s", model, info.field_name, why)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _reasons(exc: ValidationError) -> str:
    """Where and why, without the input values."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}"
        for e in exc.errors(include_input=False)
    )


# Numbers -----------------------------------------------------------------------------------


def _number(value: Any) -> Decimal:
    """The finite number a JSON number or numeric string holds; ValueError for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{_shown(value)} is not a number")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise ValueError(f"{_shown(value)} is not a number") from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValueError(f"{_shown(value)} is not a usable number")
    return number


def _whole(value: Any) -> int:
    """Nearest integer, halves away from zero: "12.5" → 13, 12.4 → 12."""
    return int(_number(value).to_integral_value(rounding=ROUND_HALF_UP))


def _real(value: Any) -> float:
    return float(_number(value))


def _or_none(convert: Callable[[Any], Any]) -> BeforeValidator:
    """For metrics: a value that is no number reads as not sent (None), and is logged."""

    def lenient(value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        try:
            return convert(value)
        except ValueError as exc:
            _warn(info, f"{exc}: read as not sent")
            return None

    return BeforeValidator(lenient)


Whole = Annotated[int, BeforeValidator(_whole)]  # structural: a misfit fails the answer
Real = Annotated[float, BeforeValidator(_real)]
Count = Annotated[int | None, _or_none(_whole)]  # metrics: a misfit reads as not sent
Rate = Annotated[float | None, _or_none(_real)]


# IDs and text lists ------------------------------------------------------------------------


def _id(value: Any) -> Any:
    """An id as TikTok's decimal string (§1.4); other types are left for pydantic to refuse."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an id")
    if isinstance(value, float):
        if not (value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT):
            raise ValueError(f"{_shown(value)} is not an exact id")
        return str(int(value))
    return str(value) if isinstance(value, int) else value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{_shown(value)} is not text")


def _each_kept(convert: Callable[[Any], Any]) -> BeforeValidator:
    """For lists that only describe: empty entries skipped, malformed ones dropped and logged."""

    def keep(value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, list):
            return value  # not a list at all: pydantic refuses it
        kept = []
        for index, item in enumerate(value):
            if _is_empty(item):
                continue
            try:
                kept.append(convert(item))
            except ValueError as exc:
                _warn(info, f"item {index} dropped: {exc}")
        return kept

    return BeforeValidator(keep)


def _strict_id(value: Any) -> str:
    converted = _id(value)
    if not isinstance(converted, str):
        raise ValueError(f"{_shown(value)} is not an id")
    return converted


Id = Annotated[str, BeforeValidator(_id)]
Ids = Annotated[list[str], _each_kept(_strict_id)]
Texts = Annotated[list[str], _each_kept(_text)]


def _valid_items(item_model: type[Model]) -> BeforeValidator:
    """For lists of objects that only describe: a malformed item is dropped and logged."""

    def keep(value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, list):
            _warn(info, f"{type(value).__name__} instead of a list: dropped")
            return []
        kept = []
        for index, item in enumerate(value):
            try:
                kept.append(item_model.model_validate(item))
            except ValidationError as exc:
                _warn(info, f"item {index} dropped ({_reasons(exc)})")
        return kept

    return BeforeValidator(keep)


# Times -------------------------------------------------------------------------------------


def _timestamp(value: Any, info: ValidationInfo) -> datetime | None:
    """Unix seconds or milliseconds (number or numeric string), or a UTC date-time string;
    anything else is logged and read as unknown: a timestamp must not sink the whole answer."""
    try:
        return _moment(value)
    except (ValueError, OverflowError, OSError) as exc:
        _warn(info, f"{_shown(value)} is not a time ({type(exc).__name__}): read as unknown")
        return None


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and not value.strip().lstrip("-").isdecimal():
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = float(_number(value))
    return datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, UTC)


Timestamp = Annotated[datetime | None, BeforeValidator(_timestamp)]


# §3.1 --------------------------------------------------------------------------------------


class AccessToken(Model):
    """`/oauth2/access_token/`: secrets are SecretStr so they never show in logs or reprs."""

    access_token: SecretStr
    advertiser_ids: Ids = []
    scope: Texts = []
    token_type: str = ""
    expires_in: Count = None
    refresh_token: SecretStr | None = None
    refresh_token_expires_in: Count = None
    open_id: str = ""

    @field_validator("scope", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return value.split(",") if isinstance(value, str) else value


class TTOAccounts(Model):
    tto_tcm_account_ids: Ids = []


class AccountInfo(Model):
    tto_tcm_account_id: Id
    account_name: str = ""
    timezone: str = ""
    country: str = ""
    business_verification_status: str = ""


# §4 ----------------------------------------------------------------------------------------


class CreatorStatus(Model):
    handle_name: str
    status: str  # IN | NOT_IN | INVALID (legacy: INVITED)


class CreatorStatuses(Model):
    onboarding_status: list[CreatorStatus] = []


class Label(Model):
    label_id: Id
    label_name: str = ""


class CreatorProfile(Model):
    handle_name: str
    display_name: str = ""
    profile_image: str = ""
    bio: str = ""
    creator_id: Id = ""
    followers_count: Count = None
    following_count: Count = None
    videos_count: Count = None
    likes_count: Count = None
    median_views: Rate = None
    engagement_rate: Rate = None
    creator_price: Rate = None
    currency: str = ""
    industry_labels: Annotated[list[Label], _valid_items(Label)] = []
    content_labels: Annotated[list[Label], _valid_items(Label)] = []


class Post(Model):
    video_id: Id
    display_name: str = ""
    thumbnail_url: str = ""
    embed_url: str = ""
    caption: str = ""
    likes: Count = None
    comments: Count = None
    shares: Count = None
    favorites: Count = None
    video_views: Count = None
    create_time: str = ""
    caption_hashtags: Texts = []
    mentioned_accounts: Texts = []
    collaboration_status: str = ""  # PAID_PARTNERSHIP | CREATOR_EARNS_COMMISSION | NONE


class CursorInfo(Model):
    has_more: bool = False
    cursor: Whole | None = None


class PostPage(Model):
    """`/tto/tcm/creator/public/video/list/`: cursor fields sit in `page_info` (§4.3).

    A malformed post fails the page: a post missing from it would read as taken down."""

    posts: list[Post] = []
    page_info: CursorInfo = CursorInfo()


# §1.6, §5 ----------------------------------------------------------------------------------


class PageInfo(Model):
    page: Whole = 1
    page_size: Whole = 0
    total_number: Whole = 0
    total_page: Whole = 0


class DMInfo(Model):
    business_account_handle: str = ""
    dm_allowed: bool | None = None
    text: str = ""  # S3's flat `dm_info` string, when that is what came


def _gather_dm_info(data: Any) -> Any:
    """S3 sends `dm_info` (string) + `business_account_handle` + `dm_allowed` flat; S1 nests."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    nested = data.get("dm_info")
    dm = dict(nested) if isinstance(nested, dict) else {"text": nested} if nested else {}
    if not isinstance(dm.get("text", ""), str):  # neither object nor text: nothing to read
        log.warning("TikTok answer dm_info: %s is not a message: dropped", _shown(nested))
        dm = {}
    for key in ("business_account_handle", "dm_allowed"):
        if key in data:
            dm.setdefault(key, data.pop(key))
    data["dm_info"] = dm
    return data


class Campaign(Model):
    """A TTO campaign object (§5.2, §5.4); reads omit empty fields, so everything defaults."""

    campaign_id: Id
    campaign_type: str = ""
    campaign_channel_type: str = ""
    campaign_name: str = ""
    campaign_description: str = ""
    brand_profile_id: Id = ""
    brand_name: str = ""
    anchor_id: Id = ""
    handle_names: Texts = []
    # not Texts: a dropped entry would read as a creator added
    failed_handle_names: list[str] = []
    video_ids: Ids = []
    advertiser_ids: Ids = []
    country_codes: Texts = []
    spark_ads_requested_authorization_days: Count = Field(
        default=None,
        validation_alias=AliasChoices(
            "spark_ads_requested_authorization_days",
            "default_spark_ads_requested_authorization_days",
        ),
    )
    invite_link: str = ""
    create_time: str = ""
    update_time: str = ""
    dm_info: DMInfo = DMInfo()

    @model_validator(mode="before")
    @classmethod
    def _nest_dm_info(cls, data: Any) -> Any:
        return _gather_dm_info(data)


class CampaignPage(Model):
    """A malformed campaign fails the page: one missing would be created again (provisioning)."""

    campaigns: list[Campaign] = []
    page_info: PageInfo = PageInfo()
    dm_info: DMInfo = DMInfo()

    @model_validator(mode="before")
    @classmethod
    def _nest_dm_info(cls, data: Any) -> Any:
        return _gather_dm_info(data)


# §6 ----------------------------------------------------------------------------------------


class LinkInfo(Model):
    """A linking request (§6.1, §6.2); status IN_REVIEW | APPROVE | REJECTED | REVOKE."""

    video_id: Id
    status: str = ""
    campaign_id: Id = ""
    link_request_id: Id = ""
    campaign_type: str = ""
    number_of_requests: Count = None
    last_reminded_timestamp: Timestamp = None


class LinkStatusPage(Model):
    video_infos: list[LinkInfo] = []
    page_info: PageInfo = PageInfo()


# §7.3 --------------------------------------------------------------------------------------


class Share(Model):
    """One bucket of a distribution; `key` is the gender/age/country/... value."""

    key: str
    percentage: Real

    @model_validator(mode="before")
    @classmethod
    def _key_from_named_field(cls, data: Any) -> Any:
        """`{gender: "FEMALE", percentage: 0.6}` → key "FEMALE": the one other field sent."""
        if isinstance(data, dict) and "key" not in data:
            named = [k for k, v in data.items() if k != "percentage" and not _is_empty(v)]
            if named:
                return {"key": data[named[0]], "percentage": data.get("percentage")}
        return data


Buckets = Annotated[list[Share], _valid_items(Share)]


class CountryStates(Model):
    country: str
    locale_distribution: Buckets = []


class VideoInfo(Model):
    video_id: Id = ""
    create_time: str = ""
    embed_url: str = ""
    thumbnail_url: str = ""
    authorization_code: str = ""


class CreatorInfo(Model):
    display_name: str = ""
    handle_name: str = ""


class AnchorMetrics(Model):
    anchor_views: Count = None
    anchor_clicks: Count = None
    anchor_unique_views: Count = None
    anchor_unique_clicks: Count = None


class DailyStat(Model):
    """One day; TikTok omits a metric rather than sending zero, hence None."""

    date: str
    views: Count = None
    video_views_organic: Count = None
    video_views_paid: Count = None
    reach: Count = None
    likes: Count = None
    likes_organic: Count = None
    likes_paid: Count = None
    comments: Count = None
    comments_organic: Count = None
    comments_paid: Count = None
    shares: Count = None
    shares_organic: Count = None
    shares_paid: Count = None
    favorites: Count = None
    favorites_organic: Count = None
    favorites_paid: Count = None
    engagement_rate: Rate = None
    engagement_rate_organic: Rate = None
    engagement_rate_paid: Rate = None
    video_completion_rate: Rate = None


def _views_by_source(value: Any, info: ValidationInfo) -> dict[str, int]:
    """Object `{for_you: n, ...}` or the docs' array `[{source, video_views}]`; a source
    without a count is not sent, one without a name or with a non-number is dropped."""
    pairs = _source_pairs(value, info)
    counts = {}
    for source, views in pairs:
        if _is_empty(views):
            continue
        try:
            counts[source] = _whole(views)
        except ValueError as exc:
            _warn(info, f"source {source!r} dropped: {exc}")
    return counts


def _source_pairs(value: Any, info: ValidationInfo) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    if not isinstance(value, list):
        _warn(info, f"{type(value).__name__} instead of an object or a list: dropped")
        return []
    pairs = []
    for index, item in enumerate(value):
        source = item.get("source") if isinstance(item, dict) else None
        if isinstance(source, int | str) and not isinstance(source, bool) and source != "":
            pairs.append((str(source), item.get("video_views")))
        else:
            _warn(info, f"item {index} has no source: dropped")
    return pairs


def _retention(value: Any, info: ValidationInfo) -> list[float]:
    """A list of numbers, or a string: JSON array or comma-separated. Points are positional
    (one per second), so the curve is cut at the first point that is not a number."""
    points = _retention_points(value)
    if points is None:
        _warn(info, f"{type(value).__name__} is not a retention curve: dropped")
        return []
    curve = []
    for index, point in enumerate(points):
        try:
            curve.append(_real(point))
        except ValueError as exc:
            _warn(info, f"cut at point {index}: {exc}")
            break
    return curve


def _retention_points(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.startswith("["):
        return [part for part in text.split(",") if part.strip()]
    try:
        points = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return points if isinstance(points, list) else None


class VideoMetrics(Model):
    """One linked video in `/tto/tcm/report/` (§7.3): the S3 set plus S1's legacy superset."""

    video_info: VideoInfo = VideoInfo()
    creator_info: CreatorInfo = CreatorInfo()
    video_id: Id = ""
    anchor_id: Id = ""
    video_boosted_date: str = ""
    video_views: Count = None
    video_views_organic: Count = None
    video_views_paid: Count = None
    reach: Count = None
    reach_organic: Count = None
    reach_paid: Count = None
    likes: Count = None
    likes_organic: Count = None
    likes_paid: Count = None
    comments: Count = None
    comments_organic: Count = None
    comments_paid: Count = None
    shares: Count = None
    shares_organic: Count = None
    shares_paid: Count = None
    favorites: Count = None
    favorites_organic: Count = None
    favorites_paid: Count = None
    engagement_count: Count = None
    engagement_rate: Rate = None
    engagement_rate_organic: Rate = None
    engagement_rate_paid: Rate = None
    engagement_rate_benchmark_p25: Rate = None
    engagement_rate_benchmark_p50: Rate = None
    video_completion_rate: Rate = None
    video_completion_rate_organic: Rate = None
    video_completion_rate_paid: Rate = None
    video_completion_rate_benchmark_p25: Rate = None
    video_completion_rate_benchmark_p50: Rate = None
    total_play_time: Count = None
    average_view_time: Rate = None
    average_view_time_organic: Rate = None
    average_view_time_paid: Rate = None
    two_seconds_views: Rate = None
    organic_two_seconds_views: Rate = None
    paid_two_seconds_views: Rate = None
    six_seconds_views: Rate = None
    organic_six_seconds_views: Rate = None
    paid_six_seconds_views: Rate = None
    video_view_retention: Annotated[list[float], BeforeValidator(_retention)] = []
    video_views_by_source: Annotated[dict[str, int], BeforeValidator(_views_by_source)] = {}
    audience_genders_distribution: Buckets = []
    audience_age_distribution: Buckets = []
    audience_countries_distribution: Buckets = []
    audience_device_distribution: Buckets = []
    audience_locale_distribution: Buckets = []
    audience_language_distribution: Buckets = []
    audience_interest_distribution: Buckets = []
    lifetime_gender_distribution: Buckets = []
    lifetime_top_age_distribution: Buckets = []
    lifetime_top_country_distribution: Buckets = []
    lifetime_device_distribution: Buckets = []
    most_popular_country_state_distribution: Annotated[
        list[CountryStates], _valid_items(CountryStates)
    ] = []
    anchor_metrics: AnchorMetrics = AnchorMetrics()
    daily_stats: Annotated[list[DailyStat], _valid_items(DailyStat)] = []
    ad_impressions: Count = None
    ad_clicks: Count = None
    ad_conversions: Count = None
    ad_cost: Rate = None
    ad_cpa: Rate = None
    ad_cpc: Rate = None
    ad_cpm: Rate = None
    ad_ctr: Rate = None
    ad_cvr: Rate = None
    ad_roas: Rate = None

    @property
    def id(self) -> str:
        """The video id, wherever this answer put it."""
        return self.video_info.video_id or self.video_id


class ReportPage(Model):
    """A malformed video entry fails the page (its metrics would silently go missing)."""

    tto_tcm_account_id: Id = ""
    campaign_id: Id = ""
    country_code: str = ""
    campaign_type: str = ""
    campaign_channel_type: str = ""
    videos: list[VideoMetrics] = []
    page_info: PageInfo = PageInfo()


# §6.4 legacy orders (campaign codes) -------------------------------------------------------


class Quota(Model):
    current_video_count: Count = None
    per_creator_video_limit: Count = None
    total_video_limit: Count = None


class Order(Model):
    order_id: Id = ""
    handle_name: str = ""
    video_ids: Ids = []
    campaign_code: str = ""
    invite_link: str = ""
    quota: Quota = Quota()


class OrderCreated(Model):
    campaign_code: str
    invite_link: str = ""
    remaining_orders: Count = None
    orders: list[Order] = []


class OrderPage(Model):
    orders: list[Order] = []
    page_info: PageInfo = PageInfo()


# §9.1 --------------------------------------------------------------------------------------


class Subscribed(Model):
    subscription_id: Id


class SubscriptionDetail(Model):
    tto_tcm_account_id: Id = Field(
        default="", validation_alias=AliasChoices("tto_tcm_account_id", "tto_tmc_account_id")
    )


class Subscription(Model):
    subscription_id: Id
    app_id: Id = ""
    subscribe_entity: str = ""
    callback_url: str = ""
    subscription_detail: SubscriptionDetail = SubscriptionDetail()


class SubscriptionPage(Model):
    subscriptions: list[Subscription] = []
    page_info: PageInfo = PageInfo()


# §6.4 legacy order report (`/tcm/report/get/v2/`, S1 model/tcm/report) ---------------------


class OrderDimensions(Model):
    order_id: Id = ""
    order_type: str = ""
    video_id: Id = ""


class OrderInsight(Model):
    """One (order, video) of the legacy report; `metrics` has the names of the TTO report."""

    dimensions: OrderDimensions = OrderDimensions()
    metrics: dict[str, Any] = {}


class OrderReportPage(Model):
    insights: list[OrderInsight] = []
    page_info: PageInfo = PageInfo()
