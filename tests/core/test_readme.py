"""The README is the newcomer's first five minutes: every file it links to or names by a
relative path is in the repository, so a fresh clone has all of them."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
OUTSIDE_PATH = re.compile(r"\.\./[\w./-]+")


def relative_links(text: str) -> list[str]:
    targets = [match.split("#", 1)[0] for match in MARKDOWN_LINK.findall(text)]
    return [t for t in targets if t and not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_every_relative_link_is_a_file_of_the_repository():
    links = relative_links(README)
    assert links, "the README links to its screenshot at least"
    missing = [link for link in links if not (ROOT / link).resolve().is_relative_to(ROOT)]
    missing += [link for link in links if not (ROOT / link).exists()]
    assert missing == []


def test_no_path_outside_the_repository_is_mentioned():
    assert OUTSIDE_PATH.findall(README) == []
