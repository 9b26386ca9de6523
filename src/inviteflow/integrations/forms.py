"""The webhook endpoint form: the service checks the values (and names the field)."""

from django import forms

from inviteflow.integrations.catalog import EVENT_TYPES
from inviteflow.integrations.models import Endpoint
from inviteflow.integrations.services import MAX_DESCRIPTION, MAX_URL

EVENT_CHOICES = [(kind.name, f"{kind.name} — {kind.description}") for kind in EVENT_TYPES.values()]


class EndpointForm(forms.Form):
    kind = forms.ChoiceField(
        label="Sends",
        required=False,  # a webhook unless chosen
        choices=Endpoint.Kind.choices,
        initial=Endpoint.Kind.WEBHOOK,
        widget=forms.RadioSelect,
        help_text="A Slack endpoint posts a readable message to a channel, through a Slack "
        "incoming-webhook URL (https://hooks.slack.com/…).",
    )
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


class EndpointSettingsForm(EndpointForm):
    """An endpoint's settings: what it sends is chosen once, when it is added."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].disabled = True
