"""HTML forms. They only shape the input: the rules live in validation.py / services.py, and
a service's ValidationError is attached back to the form's fields."""

from django import forms

from inviteflow.creators.validation import NAME_MAX


class CreatorForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)
    handle = forms.CharField(
        label="TikTok handle",
        max_length=200,
        help_text="With or without @; a profile URL works too.",
    )
    email = forms.CharField(required=False, widget=forms.EmailInput)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, a header row with the columns name, handle (or tiktok), and "
        "optionally email and notes, in any order.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
