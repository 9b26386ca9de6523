"""Campaign rules and roster changes, through the services every caller uses."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from inviteflow.campaigns import services
from inviteflow.campaigns.countries import COUNTRIES
from inviteflow.campaigns.models import Campaign, CampaignCreator
from tests.campaigns.factories import SPRING_LAUNCH, make_campaign, make_creator, make_creators


def errors_of(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


def create_errors(workspace, **fields) -> dict[str, list[str]]:
    return errors_of(services.create_campaign, workspace, **{**SPRING_LAUNCH, **fields})


@pytest.fixture
def hooks(monkeypatch):
    """Records calls to the provisioning hook points."""
    calls: list[tuple[str, int]] = []
    for name in ("roster_changed", "requirements_changed"):
        monkeypatch.setattr(services, name, lambda c, name=name: calls.append((name, c.pk)))
    return calls


# -- Creating and validating ---------------------------------------------------------------


def test_create_campaign_normalises_hashtags_and_countries(workspace):
    campaign = make_campaign(
        workspace, hashtags="#SpringLaunch, ad #ad  #Spring_2025", countries="us, GB de us"
    )
    campaign.refresh_from_db()
    assert campaign.workspace == workspace
    assert campaign.hashtags == ["springlaunch", "ad", "spring_2025"]
    assert campaign.countries == ["US", "GB", "DE"]
    assert campaign.status == "draft"


def test_name_is_required_and_at_most_120_characters(workspace):
    assert create_errors(workspace, name="  ") == {"name": ["required"]}
    too_long = create_errors(workspace, name="x" * 121)["name"][0]
    assert too_long == "at most 120 characters (this one has 121)"
    assert make_campaign(workspace, name="x" * 120).name == "x" * 120


def test_dates_are_required_and_parsed(workspace):
    errors = errors_of(services.create_campaign, workspace, name="No dates")
    assert errors == {"starts_on": ["required"], "ends_on": ["required"]}
    assert create_errors(workspace, starts_on="2025-13-01") == {
        "starts_on": ["'2025-13-01' is not a date (YYYY-MM-DD)"]
    }
    assert make_campaign(workspace, starts_on="2025-05-02").starts_on == date(2025, 5, 2)


def test_ends_on_may_not_be_before_starts_on(workspace):
    errors = create_errors(workspace, starts_on=date(2025, 5, 10), ends_on=date(2025, 5, 9))
    assert errors == {"ends_on": ["ends before it starts (2025-05-09 is before 2025-05-10)"]}
    one_day = make_campaign(workspace, starts_on=date(2025, 5, 9), ends_on=date(2025, 5, 9))
    assert one_day.ends_on == one_day.starts_on


def test_content_type_must_be_a_choice(workspace):
    errors = create_errors(workspace, content_type="story")
    assert errors == {"content_type": ["must be one of video, photo, any, not 'story'"]}


@pytest.mark.parametrize("bad", [0, 101, -3, "abc", "2.5", 2.5, None, "", True])
def test_posts_required_is_a_whole_number_from_1_to_100(workspace, bad):
    reason = create_errors(workspace, posts_required=bad)["posts_required"][0]
    assert "whole number from 1 to 100" in reason


@pytest.mark.parametrize("good, stored", [(1, 1), (100, 100), ("12", 12)])
def test_posts_required_accepts_1_to_100(workspace, good, stored):
    assert make_campaign(workspace, posts_required=good).posts_required == stored


def test_each_bad_hashtag_is_named(workspace):
    errors = create_errors(workspace, hashtags="ok, #spring-launch, #, caf\u00e9")
    assert errors == {
        "hashtags": [
            "'#spring-launch' is not a hashtag: use 1–100 letters, digits or underscores",
            "'#' is not a hashtag: use 1–100 letters, digits or underscores",
            "'caf\u00e9' is not a hashtag: use 1–100 letters, digits or underscores",
        ]
    }


def test_hashtags_are_at_most_100_characters(workspace):
    assert make_campaign(workspace, hashtags=["a" * 100]).hashtags == ["a" * 100]
    assert "is not a hashtag" in create_errors(workspace, hashtags=["a" * 101])["hashtags"][0]


def test_hashtag_lists_are_bounded(workspace):
    errors = create_errors(workspace, hashtags=[f"tag{i}" for i in range(51)])
    assert errors == {"hashtags": ["at most 50 hashtags (got 51)"]}


def test_countries_must_be_iso_3166_codes(workspace):
    errors = create_errors(workspace, countries="US, XX, UK")
    assert errors == {
        "countries": [
            "'XX' is not an ISO 3166 country code",
            "'UK' is not an ISO 3166 country code (did you mean GB?)",
        ]
    }


def test_country_list_is_the_full_iso_list():
    assert len(COUNTRIES) == 249
    assert COUNTRIES["GB"] == "United Kingdom" and COUNTRIES["CI"] == "Côte d'Ivoire"
    assert all(len(code) == 2 and code.isupper() for code in COUNTRIES)


def test_a_new_campaign_is_draft_or_active(workspace):
    assert make_campaign(workspace, status="active").status == "active"
    errors = create_errors(workspace, status="completed")
    assert errors == {"status": ["a new campaign starts as draft or active"]}
    unknown = create_errors(workspace, status="x")["status"][0]
    assert unknown == "must be one of draft, active, completed, not 'x'"


def test_every_bad_field_is_reported_at_once_and_nothing_is_created(workspace):
    errors = create_errors(workspace, name="", posts_required=0, countries="XX")
    assert set(errors) == {"name", "posts_required", "countries"}
    assert not Campaign.objects.exists()


def test_unknown_fields_are_a_programming_error(workspace):
    with pytest.raises(TypeError):
        services.create_campaign(workspace, **SPRING_LAUNCH, budget=100)


# -- Updating --------------------------------------------------------------------------------


def test_update_changes_only_what_is_sent(workspace):
    campaign = make_campaign(workspace)
    services.update_campaign(campaign, name="Summer", hashtags="summer")
    campaign.refresh_from_db()
    assert (campaign.name, campaign.hashtags, campaign.posts_required) == ("Summer", ["summer"], 12)


def test_update_checks_dates_against_the_stored_ones(workspace):
    campaign = make_campaign(workspace)  # 1–31 May
    errors = errors_of(services.update_campaign, campaign, ends_on=date(2025, 4, 30))
    assert errors == {"ends_on": ["ends before it starts (2025-04-30 is before 2025-05-01)"]}
    campaign.refresh_from_db()
    assert campaign.ends_on == date(2025, 5, 31)


def test_bad_update_changes_nothing(workspace):
    campaign = make_campaign(workspace)
    errors_of(services.update_campaign, campaign, name="New name", countries="ZZ")
    campaign.refresh_from_db()
    assert campaign.name == "Spring Launch"


@pytest.mark.parametrize(
    "path",
    [
        ["active"],
        ["active", "completed"],
        ["active", "completed", "active"],
    ],
)
def test_allowed_status_transitions(workspace, path):
    campaign = make_campaign(workspace)
    for status in path:
        services.update_campaign(campaign, status=status)
    campaign.refresh_from_db()
    assert campaign.status == path[-1]


@pytest.mark.parametrize(
    "start, target, reason",
    [
        ("draft", "completed", "cannot go from draft to completed; from draft it can go to active"),
        ("active", "draft", "cannot go from active to draft; from active it can go to completed"),
        (
            "completed",
            "draft",
            "cannot go from completed to draft; from completed it can go to active",
        ),
    ],
)
def test_refused_status_transitions(workspace, start, target, reason):
    campaign = make_campaign(workspace, status="active" if start != "draft" else "draft")
    if start == "completed":
        services.update_campaign(campaign, status="completed")
    assert errors_of(services.update_campaign, campaign, status=target) == {"status": [reason]}


def test_requirement_changes_call_the_hook(workspace, hooks):
    campaign = make_campaign(workspace)
    services.update_campaign(campaign, name="Renamed", brief="New brief")
    assert hooks == []
    services.update_campaign(campaign, posts_required=25)
    services.update_campaign(campaign, tiktok_enabled=True)
    services.update_campaign(campaign, tiktok_enabled=True)  # no change, no call
    assert hooks == [("requirements_changed", campaign.pk)] * 2


# -- Roster ----------------------------------------------------------------------------------


def test_add_creators_is_idempotent(workspace, hooks):
    campaign = make_campaign(workspace)
    ada, bo, cy = make_creators(workspace, 3)
    assert services.add_creators(campaign, [ada, bo, ada]) == [ada, bo]
    assert services.add_creators(campaign, [ada, bo, cy]) == [cy]
    assert services.add_creators(campaign, [ada]) == []
    assert campaign.roster.count() == 3
    assert hooks == [("roster_changed", campaign.pk)] * 2


def test_add_creators_with_their_own_posts_required(workspace):
    campaign = make_campaign(workspace)
    ada, bo = make_creators(workspace, 2)
    services.add_creators(campaign, [ada], posts_required=3)
    services.add_creators(campaign, [bo])
    entries = {e.creator_id: e for e in campaign.roster.all()}
    assert (entries[ada.pk].posts_required_override, entries[ada.pk].posts_required) == (3, 3)
    assert (entries[bo.pk].posts_required_override, entries[bo.pk].posts_required) == (None, 12)


def test_add_creators_refuses_a_bad_posts_required(workspace):
    campaign = make_campaign(workspace)
    errors = errors_of(services.add_creators, campaign, make_creators(workspace, 1), 0)
    assert errors == {"posts_required": ["must be a whole number from 1 to 100, not 0"]}
    assert not campaign.roster.exists()


def test_add_creators_refuses_another_workspaces_creator(actors):
    campaign = make_campaign(actors.workspace)
    ours = make_creator(actors.workspace, "ada")
    theirs = make_creator(actors.other_workspace, "eve")
    errors = errors_of(services.add_creators, campaign, [ours, theirs])
    assert errors == {"creators": [f"not creators of this workspace: {theirs.pk}"]}
    assert not campaign.roster.exists()


def test_remove_creator(workspace, hooks):
    campaign = make_campaign(workspace)
    ada, bo = make_creators(workspace, 2)
    services.add_creators(campaign, [ada, bo])
    hooks.clear()
    assert services.remove_creator(campaign, ada) is True
    assert services.remove_creator(campaign, ada) is False
    assert list(campaign.roster.values_list("creator_id", flat=True)) == [bo.pk]
    assert hooks == [("roster_changed", campaign.pk)]


def test_set_posts_required_override(workspace, hooks):
    campaign = make_campaign(workspace)
    services.add_creators(campaign, make_creators(workspace, 1))
    entry = campaign.roster.get()
    hooks.clear()
    services.set_posts_required_override(entry, "30")
    assert CampaignCreator.objects.get().posts_required == 30
    services.set_posts_required_override(entry, "")
    assert CampaignCreator.objects.get().posts_required == 12
    services.set_posts_required_override(entry, None)  # already cleared: no call
    assert hooks == [("requirements_changed", campaign.pk)] * 2


@pytest.mark.parametrize("bad", [0, 101, "many"])
def test_set_posts_required_override_refuses_bad_values(workspace, bad):
    campaign = make_campaign(workspace)
    services.add_creators(campaign, make_creators(workspace, 1), posts_required=5)
    entry = campaign.roster.get()
    errors = errors_of(services.set_posts_required_override, entry, bad)
    assert "whole number from 1 to 100" in errors["posts_required_override"][0]
    assert CampaignCreator.objects.get().posts_required_override == 5
