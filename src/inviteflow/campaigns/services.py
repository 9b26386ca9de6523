"""State changes for campaigns and their rosters.

Views, API endpoints and tasks call these and nothing else writes Campaign or
CampaignCreator rows. Every rule lives here so the web form and the API give the
same messages; bad input raises a ValidationError keyed by field and changes nothing.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.countries import COUNTRIES, HINTS
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.core import events
from inviteflow.creators.models import Creator
from inviteflow.links.services import sync_campaign_links

NAME_MAX = 120
BRIEF_MAX = 10_000
POSTS_MIN, POSTS_MAX = 1, 100
HASHTAGS_MAX = 50
HASHTAG_RE = re.compile(r"^[a-z0-9_]{1,100}$")
SEPARATORS = re.compile(r"[\s,;]+")

Status = Campaign.Status
NEW_STATUSES = (Status.DRAFT, Status.ACTIVE)
# Where a campaign may go from each status. A live campaign does not go back to
# draft (creators may already hold its links); a completed one may be reopened.
TRANSITIONS = {
    Status.DRAFT: {Status.ACTIVE},
    Status.ACTIVE: {Status.COMPLETED},
    Status.COMPLETED: {Status.ACTIVE},
}
# Changes that alter how many invite links each creator needs.
REQUIREMENT_FIELDS = {"posts_required", "tiktok_enabled"}


# -- Hook points for invite-link provisioning (issue 4) -------------------------------


def roster_changed(campaign: Campaign) -> None:
    """Creators joined or left `campaign`'s roster.

    Every creator on the roster gets ceil(posts_required / 10) invite links; the links
    of creators who left are retired. Called inside the transaction that made the
    change; provisioning on TikTok is enqueued on commit.
    """
    sync_campaign_links(campaign)


def requirements_changed(campaign: Campaign) -> None:
    """posts_required, a creator's override, or tiktok_enabled changed on `campaign`.

    Same contract as roster_changed: links to add or retire; enqueue on commit.
    """
    sync_campaign_links(campaign)


# -- Field rules ------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _clean_name(value: Any) -> str:
    name = _text(value)
    if not name:
        raise ValidationError("required")
    if len(name) > NAME_MAX:
        raise ValidationError(f"at most {NAME_MAX} characters (this one has {len(name)})")
    return name


def _clean_brief(value: Any) -> str:
    brief = _text(value)
    if len(brief) > BRIEF_MAX:
        raise ValidationError(f"at most {BRIEF_MAX} characters (this one has {len(brief)})")
    return brief


def _clean_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not _text(value):
        raise ValidationError("required")
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise ValidationError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _clean_content_type(value: Any) -> str:
    if value not in Campaign.ContentType.values:
        choices = ", ".join(Campaign.ContentType.values)
        raise ValidationError(f"must be one of {choices}, not '{value}'")
    return str(Campaign.ContentType(value).value)


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def clean_posts_required(value: Any) -> int:
    """1–100 posts per creator; a link carries 10, so 100 is already 10 links each."""
    if value is None or value == "":
        raise ValidationError(f"required, a whole number from {POSTS_MIN} to {POSTS_MAX}")
    number = _whole_number(value)
    if number is None or not POSTS_MIN <= number <= POSTS_MAX:
        raise ValidationError(
            f"must be a whole number from {POSTS_MIN} to {POSTS_MAX}, not {value!r}"
        )
    return number


def _clean_override(value: Any) -> int | None:
    """A creator's own posts_required; empty means "the campaign's"."""
    return None if value is None or value == "" else clean_posts_required(value)


def _tokens(value: Any) -> list[str]:
    """Words of a typed string ("a, b c") or of a list whose items may themselves be typed."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [word for item in items for word in SEPARATORS.split(str(item)) if word]


def parse_hashtags(value: Any) -> list[str]:
    """'#SpringLaunch, ad' or ['#SpringLaunch', 'ad'] → ['springlaunch', 'ad'].

    Every bad hashtag is named, so a pasted list is fixed in one go.
    """
    tags: list[str] = []
    bad = []
    for word in _tokens(value):
        tag = word.lstrip("#").lower()
        if not HASHTAG_RE.match(tag):
            bad.append(f"'{word}' is not a hashtag: use 1–100 letters, digits or underscores")
        elif tag not in tags:
            tags.append(tag)
    if bad:
        raise ValidationError(bad)
    if len(tags) > HASHTAGS_MAX:
        raise ValidationError(f"at most {HASHTAGS_MAX} hashtags (got {len(tags)})")
    return tags


def _country_problem(word: str) -> str:
    hint = HINTS.get(word.upper())
    suffix = f" (did you mean {hint}?)" if hint else ""
    return f"'{word}' is not an ISO 3166 country code{suffix}"


def parse_countries(value: Any) -> list[str]:
    """'us, gb' or ['US', 'GB'] → ['US', 'GB'], checked against ISO 3166-1 alpha-2."""
    codes: list[str] = []
    bad = []
    for word in _tokens(value):
        code = word.upper()
        if code not in COUNTRIES:
            bad.append(_country_problem(word))
        elif code not in codes:
            codes.append(code)
    if bad:
        raise ValidationError(bad)
    return codes


def _clean_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"must be true or false, not {value!r}")
    return value


def _clean_status(value: Any) -> str:
    if value not in Status.values:
        raise ValidationError(f"must be one of {', '.join(Status.values)}, not '{value}'")
    return str(Status(value).value)


CLEANERS = {
    "name": _clean_name,
    "brief": _clean_brief,
    "starts_on": _clean_date,
    "ends_on": _clean_date,
    "content_type": _clean_content_type,
    "posts_required": clean_posts_required,
    "hashtags": parse_hashtags,
    "countries": parse_countries,
    "tiktok_enabled": _clean_bool,
    "status": _clean_status,
}


def _clean_each(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    unknown = set(fields) - set(CLEANERS)
    if unknown:
        raise TypeError(f"not campaign fields: {', '.join(sorted(unknown))}")
    cleaned, errors = {}, {}
    for field, value in fields.items():
        try:
            cleaned[field] = CLEANERS[field](value)
        except ValidationError as exc:
            errors[field] = exc.messages
    return cleaned, errors


def _date_problem(cleaned: dict[str, Any], current: Campaign | None) -> str | None:
    starts_on = cleaned.get("starts_on", current.starts_on if current else None)
    ends_on = cleaned.get("ends_on", current.ends_on if current else None)
    if starts_on and ends_on and ends_on < starts_on:
        return f"ends before it starts ({ends_on.isoformat()} is before {starts_on.isoformat()})"
    return None


def _status_problem(cleaned: dict[str, Any], current: Campaign | None) -> str | None:
    new = cleaned.get("status")
    if new is None:
        return None
    if current is None:
        return None if new in NEW_STATUSES else "a new campaign starts as draft or active"
    if new == current.status or new in TRANSITIONS[Status(current.status)]:
        return None
    allowed = ", ".join(sorted(TRANSITIONS[Status(current.status)]))
    return f"cannot go from {current.status} to {new}; from {current.status} it can go to {allowed}"


def _validated(fields: dict[str, Any], current: Campaign | None) -> dict[str, Any]:
    cleaned, errors = _clean_each(fields)
    if "starts_on" not in errors and "ends_on" not in errors:
        if problem := _date_problem(cleaned, current):
            errors["ends_on"] = [problem]
    if problem := _status_problem(cleaned, current):
        errors["status"] = [problem]
    if errors:
        raise ValidationError(errors)
    return cleaned


# -- Campaigns ---------------------------------------------------------------------------


def create_campaign(workspace: Workspace, **fields: Any) -> Campaign:
    """A new campaign of `workspace`; name, starts_on and ends_on are required."""
    cleaned = _validated({"name": None, "starts_on": None, "ends_on": None, **fields}, None)
    return Campaign.objects.create(workspace=workspace, **cleaned)


def update_campaign(campaign: Campaign, **changes: Any) -> Campaign:
    """Apply `changes` (any subset of the fields); status moves only along TRANSITIONS."""
    cleaned = _validated(changes, campaign)
    changed = [field for field, value in cleaned.items() if getattr(campaign, field) != value]
    if not changed:
        return campaign
    for field in changed:
        setattr(campaign, field, cleaned[field])
    with transaction.atomic():
        campaign.save(update_fields=[*changed, "updated_at"])
        if REQUIREMENT_FIELDS.intersection(changed):
            requirements_changed(campaign)
        if "status" in changed:
            events.emit("campaign.completed", campaign)
    return campaign


# -- Roster ------------------------------------------------------------------------------


def _unique(creators: Iterable[Creator]) -> list[Creator]:
    seen: dict[int, Creator] = {}
    for creator in creators:
        seen.setdefault(creator.pk, creator)
    return list(seen.values())


def _check_same_workspace(campaign: Campaign, creators: list[Creator]) -> None:
    strangers = [str(c.pk) for c in creators if c.workspace_id != campaign.workspace_id]
    if strangers:
        listed = ", ".join(strangers)
        raise ValidationError({"creators": f"not creators of this workspace: {listed}"})


def add_creators(
    campaign: Campaign, creators: Iterable[Creator], posts_required: Any = None
) -> list[Creator]:
    """Put `creators` on the roster, each owing `posts_required` (None: the campaign's).

    Idempotent: creators already on the roster are left as they are. Returns the
    creators actually added, so callers can say how many were already there.
    """
    try:
        override = _clean_override(posts_required)
    except ValidationError as exc:
        raise ValidationError({"posts_required": exc.messages}) from None
    creators = _unique(creators)
    _check_same_workspace(campaign, creators)
    on_roster = set(campaign.roster.values_list("creator_id", flat=True))
    new = [c for c in creators if c.pk not in on_roster]
    entries = [
        CampaignCreator(campaign=campaign, creator=c, posts_required_override=override) for c in new
    ]
    with transaction.atomic():
        # ignore_conflicts: a concurrent add of the same creator is not an error.
        CampaignCreator.objects.bulk_create(entries, batch_size=500, ignore_conflicts=True)
        if new:
            roster_changed(campaign)
    return new


def remove_creator(campaign: Campaign, creator: Creator) -> bool:
    """Take `creator` off the roster; False when they were not on it."""
    with transaction.atomic():
        deleted, _ = campaign.roster.filter(creator=creator).delete()
        if deleted:
            roster_changed(campaign)
    return bool(deleted)


def leave_every_roster(creator: Creator) -> None:
    """The creator was deleted: off every roster, so their links are retired like anyone's
    who leaves (a hook of creators.services.delete_creator)."""
    for campaign in Campaign.objects.filter(roster__creator=creator).distinct():
        remove_creator(campaign, creator)


def set_posts_required_override(entry: CampaignCreator, value: Any) -> CampaignCreator:
    """Let one creator owe a different number of posts (1–100); None or '' clears it."""
    try:
        override = _clean_override(value)
    except ValidationError as exc:
        raise ValidationError({"posts_required_override": exc.messages}) from None
    if entry.posts_required_override == override:
        return entry
    with transaction.atomic():
        entry.posts_required_override = override
        entry.save(update_fields=["posts_required_override"])
        requirements_changed(entry.campaign)
    return entry
