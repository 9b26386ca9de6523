from typing import Any

from django import forms
from django.apps import apps

from inviteflow.accounts.models import Role, Workspace


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MANAGER)
    campaigns: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For the client role: the only campaigns the client will see (read-only).",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Campaigns by name: accounts sits below campaigns and does not import it.
        campaign_model = apps.get_model("campaigns", "Campaign")
        field = self.fields["campaigns"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = campaign_model._default_manager.filter(workspace=workspace).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.CLIENT and not data.get("campaigns"):
            self.add_error("campaigns", "choose at least one campaign for a client")
        elif data.get("role") != Role.CLIENT and data.get("campaigns"):
            self.add_error("campaigns", "only a client is limited to campaigns")
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, initial="API key")
    read_only = forms.BooleanField(required=False, label="Read-only (no writes)")
