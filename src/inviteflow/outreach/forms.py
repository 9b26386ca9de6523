"""HTML forms. They only shape the input: the rules live in services.py and templating.py,
and a service's ValidationError is attached back to the form's fields."""

from django import forms

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.outreach.models import EmailTemplate
from inviteflow.outreach.queries import WHO_CHOICES


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="Every campaign",
        help_text="Tie it to one campaign to make that campaign's own version of a template.",
    )
    subject = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"data-insertable": ""}))
    body = forms.CharField(
        label="Text body",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "data-insertable": "", "spellcheck": "true"}),
    )
    html_body = forms.CharField(
        label="HTML body (optional)",
        required=False,
        strip=False,
        help_text="Placeholders are HTML-escaped here. Leave empty to send text only.",
        widget=forms.Textarea(attrs={"rows": 10, "data-insertable": "", "class": "code"}),
    )

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = scoped(Campaign, workspace)  # type: ignore[attr-defined]


class SendForm(forms.Form):
    """The Send page: which template, to whom. Read from GET (check) and POST (send)."""

    template = forms.TypedChoiceField(coerce=int, choices=())
    who = forms.ChoiceField(choices=WHO_CHOICES, initial="all", widget=forms.RadioSelect)
    send_again = forms.BooleanField(
        required=False,
        label="Send again to creators who already got this email",
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, templates: list[EmailTemplate], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, _label(t)) for t in templates]  # type: ignore[attr-defined]


def _label(template: EmailTemplate) -> str:
    return f"{template.name} (this campaign's own)" if template.campaign_id else template.name
