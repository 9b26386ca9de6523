"""Reading a CSV: encodings, headers, per-row errors with line numbers, duplicates."""

import pytest
from django.core.exceptions import ValidationError

from inviteflow.creators.csv_import import parse_creators_csv, split_duplicates
from tests.creators.factories import csv_bytes


def file_reason(content: bytes) -> str:
    with pytest.raises(ValidationError) as exc:
        parse_creators_csv(content)
    return exc.value.message_dict["file"][0]


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom(bom):
    parsed = parse_creators_csv(csv_bytes("Zoë Ünal,z@x.io,@Zoe,", bom=bom))
    assert parsed.rows == [
        {"line": 2, "name": "Zoë Ünal", "email": "z@x.io", "handle": "zoe", "notes": ""}
    ]


def test_columns_in_any_order_with_aliases_and_extras():
    content = csv_bytes("hello,@Ada,Ada,x", header="Notes, TikTok Handle ,Name,ignored")
    assert parse_creators_csv(content).rows == [
        {"line": 2, "name": "Ada", "email": "", "handle": "ada", "notes": "hello"}
    ]
    assert parse_creators_csv(csv_bytes("Ada,ada", header="name,tiktok")).rows[0]["handle"] == "ada"


def test_semicolon_separated():
    assert parse_creators_csv(csv_bytes("Ada;ada", header="name;handle")).rows[0]["name"] == "Ada"


@pytest.mark.parametrize(
    "header, missing",
    [
        ("name,email,notes", "'handle'"),
        ("email,tiktok", "'name'"),
        ("foo,bar", "'name' or 'handle'"),
    ],
)
def test_missing_required_column_is_a_file_error(header, missing):
    assert f"no {missing} column" in file_reason(csv_bytes("a,b,c", header=header))


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "is empty"),
        (b"  \n ", "is empty"),
        ("name,handle\nJosé,jose\n".encode("latin-1"), "must be UTF-8"),
        (b"name,handle,tiktok\nA,aa,bb\n", "two 'handle' columns"),
    ],
)
def test_bad_files(content, reason):
    assert reason in file_reason(content)


def test_row_errors_name_line_field_and_reason():
    content = csv_bytes(
        "Good,,good,",
        ",bad-email,bad handle,",  # line 3: three problems
        "",  # blank line: skipped, still counted
        "Also good,ok@x.io,@fine,",
    )
    parsed = parse_creators_csv(content)
    assert [row["line"] for row in parsed.rows] == [2, 5]
    assert parsed.errors == [
        {"line": 3, "field": "name", "reason": "required", "value": ""},
        {
            "line": 3,
            "field": "email",
            "reason": "is not a valid email address",
            "value": "bad-email",
        },
        {
            "line": 3,
            "field": "handle",
            "reason": "may contain only letters, digits, underscores and periods",
            "value": "bad handle",
        },
    ]


def test_line_numbers_follow_multiline_quoted_fields():
    content = csv_bytes('Ada,,ada,"two\nlines"', "Bad,,b,")
    parsed = parse_creators_csv(content)
    assert parsed.rows[0]["notes"] == "two\nlines"
    assert parsed.errors[0]["line"] == 4


def test_short_rows_read_missing_cells_as_empty():
    parsed = parse_creators_csv(csv_bytes("Ada", header="name,handle"))
    assert parsed.errors == [{"line": 2, "field": "handle", "reason": "required", "value": ""}]


def test_duplicates_in_workspace_and_within_file():
    rows = parse_creators_csv(csv_bytes("A,,ada,", "B,,taken,", "C,,@ADA,")).rows
    unique, duplicates = split_duplicates(rows, existing={"taken"})
    assert [row["handle"] for row in unique] == ["ada"]
    assert duplicates == [
        {
            "line": 3,
            "name": "B",
            "handle": "taken",
            "reason": "@taken is already in this workspace",
        },
        {
            "line": 4,
            "name": "C",
            "handle": "ada",
            "reason": "@ada is repeated in this file (first on line 2)",
        },
    ]


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr("inviteflow.creators.csv_import.MAX_ROWS", 2)
    assert "more than 2 rows" in file_reason(csv_bytes("A,,aa,", "B,,bb,", "C,,cc,"))
