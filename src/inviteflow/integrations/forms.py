"""The webhook endpoint form: the service checks the values (and names the field)."""

from django import forms

from inviteflow.integrations.catalog import EVENT_TYPES
from inviteflow.integrations.services import MAX_DESCRIPTION, MAX_URL

EVENT_CHOICES = [(kind.name, f"{kind.name} — {kind.description}") for kind in EVENT_TYPES.values()]


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=MAX_URL,
        help_text="Events are POSTed here, signed (see the README's “Outgoing webhooks”).",
    )
    description = forms.CharField(max_length=MAX_DESCRIPTION, required=False)
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event type."},
    )
