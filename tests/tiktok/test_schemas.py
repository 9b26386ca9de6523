"""Answers in every shape the contract records (fixture files named after its sections) parse
into the same typed results."""

from datetime import UTC, datetime

from pydantic import SecretStr

from inviteflow.tiktok import schemas

from .conftest import FakeTikTok, fixture, make_client, ok

ACCOUNT = "7100000000000000001"
CAMPAIGN = "7619254006434611213"
VIDEO = "7683390748473003277"


def client_answering(name_or_envelope):
    answer = fixture(name_or_envelope) if isinstance(name_or_envelope, str) else name_or_envelope
    return make_client(FakeTikTok(answer))


def test_access_token_keeps_secrets_out_of_reprs():
    token = client_answering("access_token_s3_1").exchange_auth_code("code")
    assert isinstance(token.access_token, SecretStr)
    assert token.access_token.get_secret_value() == "act.example-brand-token"
    assert "act.example" not in repr(token)
    assert token.advertiser_ids == ["7000000000000000123"]
    assert token.refresh_token is None and token.expires_in is None


def test_creator_token_scope_may_be_a_comma_string():
    data = {"access_token": "t", "scope": "video.list,user.info.basic"}
    token = schemas.AccessToken.model_validate(data)
    assert token.scope == ["video.list", "user.info.basic"]


def test_account_ids_are_strings_whatever_their_wire_type():
    ids = client_answering("tto_accounts_s3_1").tto_accounts()
    assert ids == ["7100000000000000001", "7100000000000000002"]


def test_account_info():
    info = client_answering("account_info_s3_1").account_info(ACCOUNT)
    assert (info.account_name, info.country, info.business_verification_status) == (
        "Acme Brand",
        "US",
        "PASSED",
    )


def test_creator_status():
    statuses = client_answering("creator_status_s4_1").creator_status(ACCOUNT, ["x"])
    assert {s.handle_name: s.status for s in statuses} == {
        "jane.doe": "IN",
        "notin_sam": "NOT_IN",
        "invalid_x": "INVALID",
    }


def test_creator_profile_numbers_as_strings_and_label_ids_as_numbers():
    profile = client_answering("creator_public_s4_2").creator_profile(ACCOUNT, "jane.doe")
    assert profile.followers_count == 120500
    assert profile.engagement_rate == 0.071
    assert profile.creator_id == "6900000000000000001"
    assert profile.creator_price is None  # null means "not sent", not zero
    assert [label.label_id for label in profile.industry_labels + profile.content_labels] == [
        "1001",
        "2002",
    ]


def test_public_video_list_with_cursor_in_page_info():
    page = client_answering("creator_video_list_s4_3").creator_videos_page(ACCOUNT, "jane.doe")
    first, second = page.posts
    assert first.video_id == VIDEO
    assert first.comments == 45
    assert first.collaboration_status == "PAID_PARTNERSHIP"
    assert first.caption_hashtags == ["springlaunch", "ad"]
    assert second.likes is None and second.collaboration_status == "NONE"
    assert page.page_info == schemas.CursorInfo(has_more=True, cursor=1746180000000)


def test_campaign_list_with_the_live_field_unions_of_s8():
    page = client_answering("campaign_list_live_s8").campaigns_page(ACCOUNT)
    standard, brand_link = page.campaigns
    assert standard.campaign_id == CAMPAIGN
    assert standard.invite_link == ""  # missing on some UI-created projects
    assert standard.handle_names == [] and standard.anchor_id == ""
    assert standard.campaign_channel_type == "STANDARD_CAMPAIGN"
    assert standard.video_ids == [VIDEO]
    assert brand_link.campaign_id == "7619254006434611999"
    assert brand_link.brand_profile_id == "7300000000000000009"
    assert brand_link.spark_ads_requested_authorization_days == 60
    assert brand_link.country_codes == ["US", "GB"]
    assert page.page_info.total_page == 4


def test_dm_info_nested_as_in_s1():
    campaign = client_answering("dm_info_nested").create_campaign(ACCOUNT, "c", ["jane.doe"])
    assert campaign.dm_info == schemas.DMInfo(business_account_handle="acme", dm_allowed=True)
    assert campaign.invite_link == "https://vm.tiktok.example/ZMabc123/"


def test_dm_info_flat_as_in_s3():
    campaign = client_answering("dm_info_flat").create_campaign(ACCOUNT, "c", ["jane.doe"])
    assert campaign.campaign_id == CAMPAIGN
    assert campaign.dm_info.business_account_handle == "acme"
    assert campaign.dm_info.dm_allowed is False
    assert campaign.dm_info.text.startswith("Hi!")
    assert campaign.failed_handle_names == ["invalid_x"]
    assert campaign.spark_ads_requested_authorization_days == 30


def test_campaign_accepts_the_request_spelling_of_authorization_days():
    campaign = schemas.Campaign.model_validate(
        {"campaign_id": 1, "default_spark_ads_requested_authorization_days": 7}
    )
    assert campaign.spark_ads_requested_authorization_days == 7
    assert campaign.dm_info == schemas.DMInfo()


def test_link_info_with_an_integer_timestamp():
    info = client_answering("link_info_timestamp_int_s6_1").link_video(ACCOUNT, CAMPAIGN, VIDEO)
    assert info.status == "IN_REVIEW"
    assert info.link_request_id == "7700000000000000001"
    assert info.last_reminded_timestamp == datetime(2026, 3, 20, 8, 38, 28, tzinfo=UTC)


def test_link_status_with_string_timestamps():
    page = client_answering("link_status_timestamp_string_s6_2").link_statuses_page(ACCOUNT)
    approved, pending = page.video_infos
    assert approved.status == "APPROVE" and approved.number_of_requests == 2
    moment = datetime(2026, 3, 20, 8, 38, 28, tzinfo=UTC)
    assert approved.last_reminded_timestamp == moment  # "YYYY-MM-DD HH:MM:SS", UTC
    assert pending.last_reminded_timestamp == moment  # milliseconds as a string
    assert pending.number_of_requests is None


def test_unreadable_timestamp_is_none_rather_than_a_failed_answer():
    info = schemas.LinkInfo.model_validate({"video_id": "1", "last_reminded_timestamp": "soon"})
    assert info.last_reminded_timestamp is None


def test_report_with_views_by_source_object_and_retention_list():
    client = client_answering("report_views_by_source_object_s7_3")
    page = client.report_page(ACCOUNT, CAMPAIGN, "US")
    assert page.campaign_channel_type == "API_LITE_CAMPAIGN"
    [video] = page.videos
    assert video.id == VIDEO
    assert video.creator_info.handle_name == "jane.doe"
    assert video.video_views == video.video_views_organic + video.video_views_paid
    assert video.video_completion_rate == 0.31
    assert video.video_view_retention == [1.0, 0.82, 0.61, 0.4]
    assert video.video_views_by_source["for_you"] == 20000
    assert [(s.key, s.percentage) for s in video.audience_device_distribution] == [
        ("ios", 0.7),
        ("android", 0.3),
    ]
    assert video.anchor_metrics.anchor_clicks == 12
    assert video.anchor_metrics.anchor_unique_views is None
    day_two = video.daily_stats[1]
    assert (day_two.date, day_two.views, day_two.likes) == ("2026-05-03", 5000, None)
    assert video.reach_paid is None  # omitted, not zero


def test_report_with_views_by_source_array_and_retention_string():
    [video] = client_answering("report_views_by_source_array").report(ACCOUNT, CAMPAIGN, "US")
    assert video.id == VIDEO  # legacy top-level video_id
    assert video.video_views == 25000
    assert video.video_views_by_source == {"for_you": 20000, "search": 1000}
    assert video.video_view_retention == [1.0, 0.82, 0.61, 0.4]
    assert video.audience_genders_distribution == [schemas.Share(key="FEMALE", percentage=0.62)]


def test_report_with_retention_as_a_json_string():
    [video] = client_answering("report_retention_json_string").report(ACCOUNT, CAMPAIGN, "US")
    assert video.video_view_retention == [1.0, 0.5, 0.25]


def test_most_popular_country_state_distribution():
    video = schemas.VideoMetrics.model_validate(
        {
            "most_popular_country_state_distribution": [
                {"country": "US", "locale_distribution": [{"locale": "Texas", "percentage": 0.2}]}
            ]
        }
    )
    [country] = video.most_popular_country_state_distribution
    assert country.locale_distribution == [schemas.Share(key="Texas", percentage=0.2)]


def test_legacy_order_create():
    created = client_answering("order_create_v2_s6_4").create_campaign_code(
        "tcm-1", "Acme", "Spring", ["jane.doe"]
    )
    assert created.campaign_code == "SPRING7Q2"
    assert created.remaining_orders == 199
    [order] = created.orders
    assert order.order_id == "7800000000000000001"
    assert order.quota.per_creator_video_limit == 4


def test_legacy_order_get():
    page = client_answering("order_get_v2_s6_4").get_order("tcm-1", campaign_code="SPRING7Q2")
    [order] = page.orders
    assert order.video_ids == [VIDEO]
    assert order.quota.current_video_count == 1
    assert order.invite_link == ""


def test_subscriptions_accept_the_legacy_account_key_spelling():
    [subscription] = client_answering("subscription_get_legacy_key_s9_1").subscriptions()
    assert subscription.subscription_id == "7900000000000000001"
    assert subscription.subscription_detail.tto_tcm_account_id == ACCOUNT


def test_unknown_fields_and_nulls_are_ignored():
    answer = ok({"campaign_id": "1", "brand_new_field": {"x": 1}, "invite_link": None})
    campaign = client_answering(answer).add_creators_to_campaign(ACCOUNT, "1", ["a"])
    assert campaign.invite_link == ""
    assert not hasattr(campaign, "brand_new_field")
