"""Handle normalisation and the field rules shared by forms, API and CSV import."""

import pytest

from inviteflow.creators.handles import handle_problem, normalise_handle
from inviteflow.creators.validation import CreatorFields, field_problems


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("@Ada.Codes", "ada.codes"),
        ("  @@grace_h ", "grace_h"),
        ("https://www.tiktok.com/@Some.One?lang=en", "some.one"),
        ("tiktok.com/@x_y/video/123", "x_y"),
        ("plain", "plain"),
    ],
)
def test_normalise_handle(raw, expected):
    assert normalise_handle(raw) == expected


@pytest.mark.parametrize(
    "handle, problem",
    [
        ("", "required"),
        ("a", "must be 2 to 24 characters long"),
        ("a" * 25, "must be 2 to 24 characters long"),
        ("has space", "may contain only letters, digits, underscores and periods"),
        ("dash-ed", "may contain only letters, digits, underscores and periods"),
        ("ends.", "cannot end with a period"),
        ("ok.name_1", None),
    ],
)
def test_handle_problem(handle, problem):
    assert handle_problem(handle) == problem


def test_fields_are_normalised():
    fields = CreatorFields.normalised(
        name="  Ada   Lovelace ", email=" Ada@Example.COM ", handle="@ADA", notes="  hi  "
    )
    assert fields == CreatorFields("Ada Lovelace", "ada@example.com", "ada", "hi")


def test_field_problems_name_each_field():
    fields = CreatorFields.normalised(name="", email="not-an-email", handle="x", notes="n" * 5001)
    assert field_problems(fields) == {
        "name": "required",
        "email": "is not a valid email address",
        "handle": "must be 2 to 24 characters long",
        "notes": "must be at most 5000 characters",
    }


def test_long_name_and_optional_email():
    assert field_problems(CreatorFields.normalised(name="n" * 121, handle="ok")) == {
        "name": "must be at most 120 characters"
    }
    assert field_problems(CreatorFields.normalised(name="Ok", handle="ok")) == {}
