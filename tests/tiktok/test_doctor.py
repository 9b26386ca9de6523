"""`inviteflow tiktok doctor`: every endpoint probed at the configured size and one step above,
a PASS / FAIL / LIMIT table, and the answers saved with no secret in them."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from inviteflow.tiktok import doctor
from tests.sandbox_fixtures import ACCESS_TOKEN, STRICT

PROFILES = pytest.mark.parametrize(
    "live_sandbox", [{}, STRICT], indirect=True, ids=["default", "strict"]
)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def saved_text(folder: str) -> str:
    return "\n".join(path.read_text() for path in sorted(Path(folder).glob("*.json")))


@PROFILES
def test_doctor_prints_a_table_and_saves_redacted_answers(
    tiktok_connected, live_sandbox, var_dir, capsys
):
    live_sandbox.publish("ada")  # a creator with a public post
    call_command("tiktok_doctor", workspace="acme", handle="ada")
    out = capsys.readouterr().out
    assert "PROBE" in out and "RESULT" in out
    for endpoint in (
        "/tto/oauth2/info/",
        "/tto/tcm/campaign/",
        "/tto/tcm/creator/public/video/list/",
    ):
        assert endpoint in out
    [folder] = (var_dir / "tiktok-doctor").iterdir()
    text = saved_text(str(folder))
    assert ACCESS_TOKEN not in text and "sandbox-app-secret" not in text
    assert '"ada"' not in text  # creator handles are personal data
    report = json.loads((folder / "report.json").read_text())
    assert report["workspace"] == "acme" and report["results"]
    verdicts = {(r["probe"], r["size"]): r["verdict"] for r in report["results"]}
    assert verdicts[("creator public posts", 10)] == "PASS"  # the configured size
    strict = live_sandbox.app.runtime.config.profile == "strict"
    assert verdicts[("creator public posts", 11)] == ("LIMIT" if strict else "PASS")


@PROFILES
def test_doctor_finds_the_limit_below_the_configured_size(
    tiktok_connected, live_sandbox, var_dir, settings
):
    settings.TIKTOK_VIDEO_LIST_LIMIT = 40  # more than the sandbox takes
    report = doctor.run(tiktok_connected.workspace, handle="ada")
    posts = [r for r in report.results if r.probe == "creator public posts"]
    assert posts[0].verdict == "LIMIT" and posts[0].size == 40
    assert posts[1].verdict == "PASS" and posts[1].size < 40
    assert "at most" in posts[1].message


@PROFILES
def test_the_write_probe_reports_how_tiktok_echoes_an_object(
    tiktok_connected, live_sandbox, var_dir
):
    strict = live_sandbox.app.runtime.config.profile == "strict"
    report = doctor.run(tiktok_connected.workspace, handle="ada", write_probe=True)
    probe = report.write_probe
    assert probe["created"] and probe["listed"] and probe["invite_link_later"]
    assert probe["invite_link_at_once"] is not strict  # the strict sandbox lists it later
    assert probe["name_listed"].isascii() is strict  # and drops the name's "é"


def test_run_diagnostics_on_the_connection_page(
    tiktok_connected, live_sandbox, var_dir, owner_client, outsider_client,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    page = "/w/acme/settings/tiktok/"
    assert "Not run yet" in owner_client.get(page).content.decode()
    assert outsider_client.post(page + "diagnostics/").status_code == 404
    with django_capture_on_commit_callbacks() as queued:
        assert owner_client.post(page + "diagnostics/").status_code == 302
    assert len(queued) == 1  # the probes run in the background, not in the request
    doctor.run(tiktok_connected.workspace, handle="ada")  # what the task does
    shown = owner_client.get(page).content.decode()
    assert "/tto/tcm/report/" in shown and "PASS" in shown
