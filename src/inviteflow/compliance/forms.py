"""The workspace's compliance signals as a form: one entry per line (or comma separated)."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from inviteflow.compliance import detection

SEPARATORS = re.compile(r"[\n,]+")
HANDLE = re.compile(r"^[a-z0-9_.]{2,24}$")  # TikTok's handle characters and lengths
KEYWORD = re.compile(r"^\w{1,100}$")
MAX_ENTRIES = 30
NAME_MAX = 100


def _entries(text: str) -> list[str]:
    return [entry.strip() for entry in SEPARATORS.split(text or "") if entry.strip()]


def _at_most(entries: list[str]) -> list[str]:
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(f"at most {MAX_ENTRIES} entries (got {len(entries)})")
    return entries


def _unique(entries: list[str]) -> list[str]:
    return list({entry.lower(): entry for entry in reversed(entries)}.values())[::-1]


class SignalsForm(forms.Form):
    brand_names = forms.CharField(
        required=False,
        label="Brand names",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="As creators write them in captions (“Demo Brand”), any case; one per line.",
    )
    brand_handles = forms.CharField(
        required=False,
        label="Brand @handles",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The brand's TikTok accounts, mentioned as @handle; one per line.",
    )
    disclosure_keywords = forms.CharField(
        required=False,
        label="Disclosure keywords",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Hashtags that disclose a paid post (#ad, #sponsored…). Listed on a flag; "
        "alone they flag nothing, since creators post for other brands too.",
    )

    @staticmethod
    def initial_for(signals: detection.Signals) -> dict[str, str]:
        return {
            "brand_names": "\n".join(signals.names),
            "brand_handles": "\n".join(f"@{h}" for h in sorted(signals.handles)),
            "disclosure_keywords": "\n".join(f"#{k}" for k in sorted(signals.disclosures)),
        }

    def clean_brand_names(self) -> list[str]:
        names = _at_most(_unique(_entries(self.cleaned_data["brand_names"])))
        too_long = [name for name in names if len(name) > NAME_MAX]
        if too_long:
            raise ValidationError(f"'{too_long[0][:20]}…' is longer than {NAME_MAX} characters")
        return names

    def clean_brand_handles(self) -> list[str]:
        words = [w for entry in _entries(self.cleaned_data["brand_handles"]) for w in entry.split()]
        handles = _at_most(_unique([word.lstrip("@").lower() for word in words]))
        bad = [f"@{h}" for h in handles if not HANDLE.match(h)]
        if bad:
            raise ValidationError(
                f"not TikTok handles: {', '.join(bad)} (2–24 letters, digits, '_' or '.')"
            )
        return handles

    def clean_disclosure_keywords(self) -> list[str]:
        words = [
            w for entry in _entries(self.cleaned_data["disclosure_keywords"]) for w in entry.split()
        ]
        keywords = _at_most(_unique([word.lstrip("#").lower() for word in words]))
        bad = [f"#{k}" for k in keywords if not KEYWORD.match(k)]
        if bad:
            raise ValidationError(f"not hashtags: {', '.join(bad)} (letters, digits or '_')")
        return keywords

    def signals(self) -> detection.Signals:
        data: dict[str, Any] = self.cleaned_data
        return detection.Signals(
            tuple(data["brand_names"]),
            frozenset(data["brand_handles"]),
            frozenset(data["disclosure_keywords"]),
        )
