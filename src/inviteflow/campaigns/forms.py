"""Web forms. They only turn posted text into Python values; the rules, and their
messages, live in services so the web form and the API agree. Service errors are
attached to the matching field with form.add_error(None, exc)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from inviteflow.accounts.access import scoped
from inviteflow.campaigns import queries, services
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
POSTS_INPUT = {"min": services.POSTS_MIN, "max": services.POSTS_MAX, "inputmode": "numeric"}


class CampaignForm(forms.Form):
    name = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": services.NAME_MAX, "required": True, "autofocus": True}
        ),
    )
    starts_on = forms.DateField(required=False, label="Starts on", widget=DATE_INPUT)
    ends_on = forms.DateField(required=False, label="Ends on", widget=DATE_INPUT)
    content_type = forms.ChoiceField(choices=Campaign.ContentType.choices, label="Content type")
    posts_required = forms.IntegerField(
        required=False,
        initial=1,
        label="Posts per creator",
        help_text="1–100. Each invite link carries 10 posts.",
        widget=forms.NumberInput(attrs=POSTS_INPUT),
    )
    hashtags = forms.CharField(
        required=False, help_text="Separated by commas or spaces, '#' optional: springlaunch, ad"
    )
    countries = forms.CharField(
        required=False, label="Target countries", help_text="ISO 3166 codes: US, GB, DE"
    )
    brief = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What creators should make. Shown to them with their link.",
    )
    tiktok_enabled = forms.BooleanField(
        required=False,
        label="TikTok enabled",
        help_text="Give every creator on the roster their own TikTok Campaign Invite Links.",
    )
    status = forms.ChoiceField(choices=[])

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        if campaign is not None:
            kwargs.setdefault("initial", initial_for(campaign))
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices(campaign)  # type: ignore[attr-defined]


def initial_for(campaign: Campaign) -> dict[str, Any]:
    """The campaign as the form shows it: lists typed as comma-separated text."""
    initial = {field: getattr(campaign, field) for field in services.CLEANERS}
    initial["hashtags"] = ", ".join(campaign.hashtags)
    initial["countries"] = ", ".join(campaign.countries)
    return initial


def _status_choices(campaign: Campaign | None) -> list[tuple[str, str]]:
    """Only the statuses the campaign may move to, so the form offers no dead ends."""
    allowed: set[str] = set(services.NEW_STATUSES)
    if campaign is not None:
        allowed = {campaign.status, *services.TRANSITIONS[Campaign.Status(campaign.status)]}
    return [(value, label) for value, label in Campaign.Status.choices if value in allowed]


class CreatorIdsField(forms.Field):
    """The ids of the creators ticked in the picker (the picker renders its own checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise ValidationError("not a list of creator ids") from None


class RosterAddForm(forms.Form):
    """Creators ticked in the picker (on any page or search), every creator matching the
    picker's search ("add all N matching": the search is applied again here, so no list of
    ids travels), and/or pasted handles; every unknown one is named."""

    creators = CreatorIdsField(required=False)
    all_matching = forms.BooleanField(required=False)
    match = forms.CharField(required=False, max_length=200)
    handles = forms.CharField(
        required=False,
        label="Paste handles",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line or separated by commas; '@' optional.",
    )
    posts_required = forms.IntegerField(
        required=False,
        label="Posts required",
        widget=forms.NumberInput(attrs=POSTS_INPUT),
        help_text="Leave empty to use the campaign's posts per creator.",
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign, self.workspace = campaign, campaign.workspace

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ticked = self._ticked(cleaned.get("creators") or [])
        pasted = self._pasted(cleaned.get("handles") or "")
        matching = self._matching(cleaned.get("match") or "") if cleaned.get("all_matching") else []
        if not ticked and not pasted and not matching and not self.errors:
            raise ValidationError("Tick creators in the list or paste their handles.")
        cleaned["creators"] = ticked + pasted + matching
        return cleaned

    def _matching(self, search: str) -> list[Creator]:
        return list(queries.creators_not_on(self.campaign, search))

    def _ticked(self, ids: list[int]) -> list[Creator]:
        creators = list(scoped(Creator, self.workspace).filter(pk__in=ids)) if ids else []
        missing = set(ids) - {c.pk for c in creators}
        if missing:
            listed = ", ".join(str(i) for i in sorted(missing))
            self.add_error("creators", f"These creators are not in this workspace: {listed}.")
        return creators

    def _pasted(self, text: str) -> list[Creator]:
        creators, unknown = queries.creators_by_handle(self.workspace, queries.parse_handles(text))
        if unknown:
            listed = ", ".join(f"@{h}" for h in unknown)
            self.add_error(
                "handles",
                f"No creator in this workspace has these handles: {listed}. "
                "Add them on the Creators page first, or remove them here.",
            )
        return creators
