"""Answers in every shape the contract records (fixture files named after its sections) parse
into the same typed results."""

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr, ValidationError

from inviteflow.tiktok import schemas
from inviteflow.tiktok.errors import UnexpectedResponse

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
    campaign = client_answering(answer).add_creators_to_campaign(ACCOUNT, "1", "c", ["a"])
    assert campaign.invite_link == ""
    assert not hasattr(campaign, "brand_new_field")


# -- Loose numbers and shapes, per field (issue 13) --------------------------------------------

SCHEMA_LOG = "inviteflow.tiktok.schemas"


def warnings_of(caplog) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == SCHEMA_LOG and r.levelname == "WARNING"
    ]


@pytest.mark.parametrize(
    ("wire", "count"),
    [
        (1234, 1234),
        (1234.0, 1234),
        ("1234", 1234),
        (" 1234 ", 1234),
        ("1234.5", 1235),  # halves away from zero (S1 truncates, contract §13)
        ("1234.4", 1234),
        (12.5, 13),
        (12.7, 13),
        ("0.5", 1),
        ("-2.5", -3),
        ("1e3", 1000),
        ("7683390748473003277", 7683390748473003277),  # above 2^53, exactly
    ],
)
def test_whole_numbers_are_loose_and_rounded_to_the_nearest(wire, count):
    assert schemas.Post.model_validate({"video_id": VIDEO, "likes": wire}).likes == count
    assert schemas.DailyStat.model_validate({"date": "2026-05-02", "views": wire}).views == count


@pytest.mark.parametrize(("wire", "rate"), [(0.071, 0.071), ("0.071", 0.071), (5, 5.0), ("5", 5.0)])
def test_fractions_accept_numeric_strings(wire, rate):
    assert schemas.VideoMetrics.model_validate({"engagement_rate": wire}).engagement_rate == rate


def test_null_and_missing_numbers_keep_the_fields_empty_value():
    video = schemas.VideoMetrics.model_validate({"video_views": None, "likes": ""})
    assert (video.video_views, video.likes, video.reach) == (None, None, None)
    page = schemas.ReportPage.model_validate({"page_info": {"page": None, "total_page": "3"}})
    assert page.page_info == schemas.PageInfo(page=1, page_size=0, total_number=0, total_page=3)


@pytest.mark.parametrize("junk", ["n/a", "-", "1,234", "NaN", "Infinity", True, [1], {"v": 1}])
def test_a_metric_that_is_no_number_reads_as_not_sent_and_is_logged(caplog, junk):
    video = schemas.VideoMetrics.model_validate({"video_id": VIDEO, "likes": junk, "reach": 7})
    assert (video.likes, video.reach) == (None, 7)  # the rest of the entry is kept
    [warning] = warnings_of(caplog)
    assert "VideoMetrics.likes" in warning and "read as not sent" in warning


def test_ids_are_decimal_strings():
    campaign = schemas.Campaign.model_validate(
        {"campaign_id": 7619254006434611213, "brand_profile_id": 1234.0, "video_ids": [7, "8"]}
    )
    assert campaign.campaign_id == "7619254006434611213"
    assert campaign.brand_profile_id == "1234"
    assert campaign.video_ids == ["7", "8"]
    for rounded_already in (7.619254006434611e18, 12.5, True):
        with pytest.raises(ValidationError):
            schemas.Campaign.model_validate({"campaign_id": rounded_already})


def test_malformed_distribution_buckets_are_dropped_and_logged(caplog):
    video = schemas.VideoMetrics.model_validate(
        {
            "audience_genders_distribution": [
                {"gender": "FEMALE", "percentage": "0.6"},
                {"gender": None, "percentage": 0.1},
                {"gender": "MALE"},
                {"gender": "MALE", "percentage": "lots"},
                "MALE",
                {"gender": "MALE", "percentage": 0.4},
            ],
            "audience_device_distribution": {"ios": 0.7},
            "audience_countries_distribution": [{"country": "US", "percentage": 1}],
        }
    )
    assert [(s.key, s.percentage) for s in video.audience_genders_distribution] == [
        ("FEMALE", 0.6),
        ("MALE", 0.4),
    ]
    assert video.audience_device_distribution == []
    assert video.audience_countries_distribution == [schemas.Share(key="US", percentage=1.0)]
    warnings = warnings_of(caplog)
    assert len(warnings) == 5
    assert all("VideoMetrics.audience_" in w for w in warnings)
    assert "item 1 dropped (key: Field required)" in warnings[0]
    assert "item 3 dropped (percentage:" in warnings[2] and "'lots' is not a number" in warnings[2]
    assert "dict instead of a list: dropped" in warnings[4]


def test_daily_rows_without_a_date_are_dropped_and_logged(caplog):
    video = schemas.VideoMetrics.model_validate(
        {
            "daily_stats": [
                {"date": "2026-05-02", "views": "20000.0"},
                {"views": 5},
                {"date": "", "views": 6},
                None,
                {"date": "2026-05-03", "likes": "x", "views": 7},
            ]
        }
    )
    assert [(d.date, d.views, d.likes) for d in video.daily_stats] == [
        ("2026-05-02", 20000, None),
        ("2026-05-03", 7, None),
    ]
    warnings = warnings_of(caplog)
    assert sum("VideoMetrics.daily_stats: item" in w for w in warnings) == 3
    assert any("date: Field required" in w for w in warnings)
    assert any("DailyStat.likes: 'x' is not a number" in w for w in warnings)


def test_views_by_source_items_without_a_source_are_dropped_and_logged(caplog):
    video = schemas.VideoMetrics.model_validate(
        {
            "video_views_by_source": [
                {"source": "for_you", "video_views": "20000"},
                {"video_views": 3},
                {"source": None, "video_views": 4},
                {"source": "search"},  # no count sent: not a false zero
                {"source": "sound", "video_views": "some"},
                "hashtag",
            ]
        }
    )
    assert video.video_views_by_source == {"for_you": 20000}
    warnings = warnings_of(caplog)
    assert len(warnings) == 4
    assert all("VideoMetrics.video_views_by_source" in w for w in warnings)
    assert "item 1 has no source: dropped" in warnings[0]
    assert "source 'sound' dropped: 'some' is not a number" in warnings[3]


def test_views_by_source_object_rounds_and_drops_per_source():
    video = schemas.VideoMetrics.model_validate(
        {"video_views_by_source": {"for_you": 10.5, "sound": None, "other": "n/a"}}
    )
    assert video.video_views_by_source == {"for_you": 11}


def test_retention_is_cut_at_the_first_point_that_is_no_number(caplog):
    video = schemas.VideoMetrics.model_validate({"video_view_retention": [1, "0.8", None, 0.4]})
    assert video.video_view_retention == [1.0, 0.8]  # points are positional: no gap closed
    assert "cut at point 2" in warnings_of(caplog)[0]


def test_a_retention_string_too_deep_to_read_is_dropped():
    nested = "[" * 100_000 + "]" * 100_000
    for wire in (nested, "[1, 2", '{"a": 1}', 42):
        assert (
            schemas.VideoMetrics.model_validate({"video_view_retention": wire}).video_view_retention
            == []
        )


@pytest.mark.parametrize("wire", [1e300, "9" * 30, -(10**18), True, [1], "next tuesday"])
def test_a_timestamp_out_of_any_range_reads_as_unknown(wire):
    info = schemas.LinkInfo.model_validate({"video_id": "1", "last_reminded_timestamp": wire})
    assert info.last_reminded_timestamp is None


def test_malformed_entries_of_descriptive_lists_are_dropped():
    post = schemas.Post.model_validate(
        {"video_id": VIDEO, "caption_hashtags": ["ad", None, "", {"tag": "x"}, 7, True]}
    )
    assert post.caption_hashtags == ["ad", "7"]
    campaign = schemas.Campaign.model_validate(
        {"campaign_id": "1", "video_ids": [VIDEO, None, 1.5, {"id": 1}], "handle_names": ["a", []]}
    )
    assert campaign.video_ids == [VIDEO]
    assert campaign.handle_names == ["a"]
    profile = schemas.CreatorProfile.model_validate(
        {"handle_name": "jane", "industry_labels": [{"label_name": "no id"}, {"label_id": 9}]}
    )
    assert profile.industry_labels == [schemas.Label(label_id="9")]


def test_a_malformed_failed_handle_is_not_dropped():
    """Dropping it would read as the creator having been added."""
    with pytest.raises(ValidationError):
        schemas.Campaign.model_validate(
            {"campaign_id": "1", "failed_handle_names": [{"handle_name": "x"}]}
        )


def test_dm_info_that_is_neither_object_nor_text_is_dropped():
    campaign = schemas.Campaign.model_validate({"campaign_id": "1", "dm_info": ["hi"]})
    assert campaign.dm_info == schemas.DMInfo()


def test_a_report_entry_survives_its_stored_round_trip():
    """insights keeps `model_dump(mode="json", exclude_defaults=True)` and validates it again."""
    [video] = client_answering("report_views_by_source_object_s7_3").report(ACCOUNT, CAMPAIGN, "US")
    stored = video.model_dump(mode="json", exclude_defaults=True)
    assert schemas.VideoMetrics.model_validate(stored) == video


HOPELESS = [
    ("campaigns_page", {"campaigns": [{"campaign_id": "1"}, {"campaign_name": "no id"}]}),
    ("campaigns_page", {"campaigns": [None]}),
    ("campaigns_page", {"campaigns": [], "page_info": {"total_page": "many"}}),
    ("creator_videos_page", {"posts": [{"video_id": "1"}, "7683390748473003001"]}),
    ("creator_videos_page", {"posts": [], "page_info": {"cursor": "later"}}),
    ("report_page", {"videos": [{"video_id": "1"}, 7]}),
    ("link_statuses_page", {"video_infos": [{"status": "APPROVE"}]}),
]


@pytest.mark.parametrize(("method", "data"), HOPELESS)
def test_a_structurally_hopeless_answer_is_an_unexpected_response(method, data):
    """Where absence means something (a campaign missing would be created again, a post
    missing would read as taken down), a malformed item fails the page instead."""
    client = client_answering(ok(data))
    arguments = {
        "campaigns_page": (ACCOUNT,),
        "creator_videos_page": (ACCOUNT, "jane.doe"),
        "report_page": (ACCOUNT, CAMPAIGN, "US"),
        "link_statuses_page": (ACCOUNT,),
    }[method]
    with pytest.raises(UnexpectedResponse):
        getattr(client, method)(*arguments)
