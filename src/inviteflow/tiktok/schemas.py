"""Typed views of TikTok's response `data`, tolerant of every shape the contract lists.

Sources disagree on wire types (contract §1.4, §5.2, §6.1, §7.3, §12.8), and live answers omit
empty fields, so every model ignores unknown keys, treats null/"" as absent, accepts IDs and
numbers as either JSON numbers or strings, and normalises the alternative shapes (flat or nested
DM info, views-by-source object or array, retention string or list, timestamp string or int).
Metrics TikTok did not send stay None rather than 0, so history never records a false zero.
"""

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _absent_when_empty(cls, data: Any) -> Any:
        """null and "" mean "not sent": let the field default apply."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and v != ""}
        return data


def _timestamp(value: Any) -> Any:
    """Unix seconds or milliseconds (number or numeric string), or a UTC date-time string."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None  # an unknown format must not sink the whole answer
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return value


Timestamp = Annotated[datetime | None, BeforeValidator(_timestamp)]


# §3.1 --------------------------------------------------------------------------------------


class AccessToken(Model):
    """`/oauth2/access_token/`: secrets are SecretStr so they never show in logs or reprs."""

    access_token: SecretStr
    advertiser_ids: list[str] = []
    scope: list[str] = []
    token_type: str = ""
    expires_in: int | None = None
    refresh_token: SecretStr | None = None
    refresh_token_expires_in: int | None = None
    open_id: str = ""

    @field_validator("scope", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return value.split(",") if isinstance(value, str) else value


class TTOAccounts(Model):
    tto_tcm_account_ids: list[str] = []


class AccountInfo(Model):
    tto_tcm_account_id: str
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
    label_id: str
    label_name: str = ""


class CreatorProfile(Model):
    handle_name: str
    display_name: str = ""
    profile_image: str = ""
    bio: str = ""
    creator_id: str = ""
    followers_count: int | None = None
    following_count: int | None = None
    videos_count: int | None = None
    likes_count: int | None = None
    median_views: float | None = None
    engagement_rate: float | None = None
    creator_price: float | None = None
    currency: str = ""
    industry_labels: list[Label] = []
    content_labels: list[Label] = []


class Post(Model):
    video_id: str
    display_name: str = ""
    thumbnail_url: str = ""
    embed_url: str = ""
    caption: str = ""
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    favorites: int | None = None
    video_views: int | None = None
    create_time: str = ""
    caption_hashtags: list[str] = []
    mentioned_accounts: list[str] = []
    collaboration_status: str = ""  # PAID_PARTNERSHIP | CREATOR_EARNS_COMMISSION | NONE


class CursorInfo(Model):
    has_more: bool = False
    cursor: int | None = None


class PostPage(Model):
    """`/tto/tcm/creator/public/video/list/`: cursor fields sit in `page_info` (§4.3)."""

    posts: list[Post] = []
    page_info: CursorInfo = CursorInfo()


# §1.6, §5 ----------------------------------------------------------------------------------


class PageInfo(Model):
    page: int = 1
    page_size: int = 0
    total_number: int = 0
    total_page: int = 0


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
    for key in ("business_account_handle", "dm_allowed"):
        if key in data:
            dm.setdefault(key, data.pop(key))
    data["dm_info"] = dm
    return data


class Campaign(Model):
    """A TTO campaign object (§5.2, §5.4); reads omit empty fields, so everything defaults."""

    campaign_id: str
    campaign_type: str = ""
    campaign_channel_type: str = ""
    campaign_name: str = ""
    campaign_description: str = ""
    brand_profile_id: str = ""
    brand_name: str = ""
    anchor_id: str = ""
    handle_names: list[str] = []
    failed_handle_names: list[str] = []
    video_ids: list[str] = []
    advertiser_ids: list[str] = []
    country_codes: list[str] = []
    spark_ads_requested_authorization_days: int | None = Field(
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

    video_id: str
    status: str = ""
    campaign_id: str = ""
    link_request_id: str = ""
    campaign_type: str = ""
    number_of_requests: int | None = None
    last_reminded_timestamp: Timestamp = None


class LinkStatusPage(Model):
    video_infos: list[LinkInfo] = []
    page_info: PageInfo = PageInfo()


# §7.3 --------------------------------------------------------------------------------------


class Share(Model):
    """One bucket of a distribution; `key` is the gender/age/country/... value."""

    key: str
    percentage: float

    @model_validator(mode="before")
    @classmethod
    def _key_from_named_field(cls, data: Any) -> Any:
        if isinstance(data, dict) and "key" not in data:
            named = [k for k in data if k != "percentage"]
            if named:
                return {"key": data[named[0]], "percentage": data.get("percentage")}
        return data


class CountryStates(Model):
    country: str
    locale_distribution: list[Share] = []


class VideoInfo(Model):
    video_id: str = ""
    create_time: str = ""
    embed_url: str = ""
    thumbnail_url: str = ""
    authorization_code: str = ""


class CreatorInfo(Model):
    display_name: str = ""
    handle_name: str = ""


class AnchorMetrics(Model):
    anchor_views: int | None = None
    anchor_clicks: int | None = None
    anchor_unique_views: int | None = None
    anchor_unique_clicks: int | None = None


class DailyStat(Model):
    """One day; TikTok omits a metric rather than sending zero, hence None."""

    date: str
    views: int | None = None
    video_views_organic: int | None = None
    video_views_paid: int | None = None
    reach: int | None = None
    likes: int | None = None
    likes_organic: int | None = None
    likes_paid: int | None = None
    comments: int | None = None
    comments_organic: int | None = None
    comments_paid: int | None = None
    shares: int | None = None
    shares_organic: int | None = None
    shares_paid: int | None = None
    favorites: int | None = None
    favorites_organic: int | None = None
    favorites_paid: int | None = None
    engagement_rate: float | None = None
    engagement_rate_organic: float | None = None
    engagement_rate_paid: float | None = None
    video_completion_rate: float | None = None


def _views_by_source(value: Any) -> Any:
    """Object `{for_you: n, ...}` or the docs' array `[{source, video_views}]`."""
    if isinstance(value, list):
        return {item["source"]: item.get("video_views") or 0 for item in value}
    return value


def _retention(value: Any) -> Any:
    """A list of floats, or a string: JSON array or comma-separated."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part for part in text.split(",") if part.strip()]
    return value


Count = int | None
Rate = float | None


class VideoMetrics(Model):
    """One linked video in `/tto/tcm/report/` (§7.3): the S3 set plus S1's legacy superset."""

    video_info: VideoInfo = VideoInfo()
    creator_info: CreatorInfo = CreatorInfo()
    video_id: str = ""
    anchor_id: str = ""
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
    audience_genders_distribution: list[Share] = []
    audience_age_distribution: list[Share] = []
    audience_countries_distribution: list[Share] = []
    audience_device_distribution: list[Share] = []
    audience_locale_distribution: list[Share] = []
    audience_language_distribution: list[Share] = []
    audience_interest_distribution: list[Share] = []
    lifetime_gender_distribution: list[Share] = []
    lifetime_top_age_distribution: list[Share] = []
    lifetime_top_country_distribution: list[Share] = []
    lifetime_device_distribution: list[Share] = []
    most_popular_country_state_distribution: list[CountryStates] = []
    anchor_metrics: AnchorMetrics = AnchorMetrics()
    daily_stats: list[DailyStat] = []
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
    tto_tcm_account_id: str = ""
    campaign_id: str = ""
    country_code: str = ""
    campaign_type: str = ""
    campaign_channel_type: str = ""
    videos: list[VideoMetrics] = []
    page_info: PageInfo = PageInfo()


# §6.4 legacy orders (campaign codes) -------------------------------------------------------


class Quota(Model):
    current_video_count: int | None = None
    per_creator_video_limit: int | None = None
    total_video_limit: int | None = None


class Order(Model):
    order_id: str = ""
    handle_name: str = ""
    video_ids: list[str] = []
    campaign_code: str = ""
    invite_link: str = ""
    quota: Quota = Quota()


class OrderCreated(Model):
    campaign_code: str
    invite_link: str = ""
    remaining_orders: int | None = None
    orders: list[Order] = []


class OrderPage(Model):
    orders: list[Order] = []
    page_info: PageInfo = PageInfo()


# §9.1 --------------------------------------------------------------------------------------


class Subscribed(Model):
    subscription_id: str


class SubscriptionDetail(Model):
    tto_tcm_account_id: str = Field(
        default="", validation_alias=AliasChoices("tto_tcm_account_id", "tto_tmc_account_id")
    )


class Subscription(Model):
    subscription_id: str
    app_id: str = ""
    subscribe_entity: str = ""
    callback_url: str = ""
    subscription_detail: SubscriptionDetail = SubscriptionDetail()


class SubscriptionPage(Model):
    subscriptions: list[Subscription] = []
    page_info: PageInfo = PageInfo()
