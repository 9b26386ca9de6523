"""The form that shares a campaign's report: the service checks the values."""

from django import forms

from inviteflow.insights.services import REPORT_LINK_DAYS

EXPIRY_CHOICES = [(days, f"{days} day{'s' if days > 1 else ''}") for days in REPORT_LINK_DAYS]


class ShareReportForm(forms.Form):
    expires_in_days = forms.TypedChoiceField(
        label="Works for", choices=EXPIRY_CHOICES, coerce=int, initial=7
    )
    hide_contacts = forms.BooleanField(
        label="Leave out creators' emails", required=False, initial=True
    )
