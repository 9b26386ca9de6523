"""The README's screenshots come from `scripts/screenshots.py` (`make screenshots`), which
photographs the running demo: every picture the README shows is one the script takes, under
the same alt text, a PNG of the script's viewport (not a full page), small enough to commit.

Running the script itself takes about 20 s (it starts `inviteflow run`), so the suite checks
its output and its list of pages; `make screenshots` retakes them."""

import importlib.util
import re
import struct
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SCREENSHOTS = "docs/screenshots/"
MAX_BYTES = 250 * 1024
IMAGE = re.compile(r"!\[([^\]]+)\]\(([^)\s]+)\)")


@cache
def load_script():
    """scripts/ is no package: the script is loaded from its file (its dataclasses look
    their module up in sys.modules)."""
    name = "inviteflow_screenshots_script"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts/screenshots.py")
    assert spec and spec.loader
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def readme_screenshots() -> dict[str, str]:
    """file name → alt text of each picture the README shows from docs/screenshots/."""
    images = IMAGE.findall(README)
    return {path.removeprefix(SCREENSHOTS): alt for alt, path in images if SCREENSHOTS in path}


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_readme_shows_exactly_the_pictures_the_script_takes_under_its_alt_text():
    pages = load_script().PAGES
    assert readme_screenshots() == {shot.file: shot.alt for shot in pages}
    names = {shot.file for shot in pages}
    assert {"overview.png", "overview-phone.png", "campaign-details.png"} <= names


def test_every_picture_is_a_small_png_of_the_scripts_viewport():
    for shot in load_script().PAGES:
        path = ROOT / SCREENSHOTS / shot.file
        assert path.exists(), f"{shot.file} missing: run make screenshots"
        assert path.stat().st_size < MAX_BYTES, f"{shot.file} is {path.stat().st_size} bytes"
        assert png_size(path) == shot.viewport, shot.file


def test_one_picture_is_phone_sized_and_the_tour_shows_them():
    pages = load_script().PAGES
    assert (390, 844) in {shot.viewport for shot in pages}
    tour = README.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    assert "make screenshots" in tour
    assert all(f"{SCREENSHOTS}{shot.file}" in README for shot in pages)


def test_make_screenshots_runs_the_script():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^screenshots: .*\n\t.*scripts/screenshots\.py", makefile, re.M)
    assert re.search(r"^\.PHONY: .*\bscreenshots\b", makefile, re.M)
