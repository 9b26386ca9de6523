"""Issue 15, defect 3: the preview page showed a raw `{# … #}` comment. Django's `{# #}`
comments end on their line; a multi-line one is printed as text."""

import re
from pathlib import Path

from django.urls import reverse

from tests.outreach.factories import template

SOURCE = Path(__file__).resolve().parents[2] / "src"
UNCLOSED_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_the_preview_page_shows_no_template_comment(viewer_client, workspace):
    page = viewer_client.get(
        reverse("email_template_preview", args=["acme", template(workspace).pk])
    )
    assert page.status_code == 200
    assert "{#" not in page.content.decode()


def test_no_page_template_has_a_multi_line_hash_comment():
    """Use {% comment %} … {% endcomment %} for comments longer than a line."""
    offenders = [
        f"{path.relative_to(SOURCE)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(SOURCE.rglob("templates/**/*.html"))
        for text in [path.read_text()]
        for m in UNCLOSED_COMMENT.finditer(text)
    ]
    assert offenders == []
