from django import forms

from inviteflow.accounts.models import Role


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MANAGER)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, initial="API key")
    read_only = forms.BooleanField(required=False, label="Read-only (no writes)")
