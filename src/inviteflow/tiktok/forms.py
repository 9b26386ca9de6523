from typing import Any

from django import forms


class TokenForm(forms.Form):
    account_id = forms.RegexField(
        regex=r"^\d{1,32}$",
        label="TikTok One account id",
        error_messages={"invalid": "a TikTok One account id is a number"},
    )
    token = forms.CharField(
        label="Access token",
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; never shown again.",
    )


class ChooseAccountForm(forms.Form):
    account_id = forms.ChoiceField(label="TikTok One account", widget=forms.RadioSelect)

    def __init__(self, *args: Any, accounts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a, a) for a in accounts]
        if len(accounts) == 1:
            field.initial = accounts[0]
