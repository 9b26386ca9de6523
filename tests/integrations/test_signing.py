"""The signature, recomputed here with hmac, and the README's verification code (Python and
JavaScript, run as documented) accepting it, refusing tampering and replays."""

import hashlib
import hmac
import json
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.integrations import services
from inviteflow.integrations.signing import signature_header
from tests.integrations.conftest import add_endpoint, readme_block, readme_verify

BODY = b'{"id":"evt_1","type":"webhook.test","created":1767225600,"workspace":"acme","data":{}}'
NOW = 1_767_225_600


def test_the_header_is_t_and_an_hmac_of_t_dot_body():
    header = signature_header(["whsec_a"], NOW, BODY)
    expected = hmac.new(b"whsec_a", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_the_documented_python_accepts_it_and_refuses_tampering_and_replays():
    verify = readme_verify()
    header = signature_header(["whsec_a"], NOW, BODY)
    assert verify("whsec_a", header, BODY, now=NOW + 10)
    assert not verify("whsec_b", header, BODY, now=NOW)  # another secret
    assert not verify("whsec_a", header, BODY.replace(b"acme", b"evil"), now=NOW)
    assert not verify("whsec_a", header, BODY, now=NOW + 301)  # outside the replay window
    assert not verify("whsec_a", "v1=" + header.split("v1=")[1], BODY, now=NOW)  # no t=


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_documented_javascript_agrees(tmp_path):
    (tmp_path / "verify.js").write_text(readme_block("javascript"))
    header = signature_header(["whsec_old", "whsec_new"], NOW, BODY)
    cases = [
        ("whsec_new", BODY, NOW + 5),
        ("whsec_old", BODY, NOW + 5),
        ("whsec_other", BODY, NOW),
        ("whsec_new", BODY + b" ", NOW),
        ("whsec_new", BODY, NOW - 400),
    ]
    inputs = json.dumps([[secret, body.decode(), now] for secret, body, now in cases])
    script = "\n".join(
        [
            "const { verify } = require('./verify.js');",
            f"const header = {json.dumps(header)};",
            f"const cases = {inputs};",
            "const results = cases.map(([s, b, n]) => verify(s, header, Buffer.from(b), n));",
            "console.log(JSON.stringify(results));",
        ]
    )
    (tmp_path / "run.js").write_text(script)
    out = subprocess.run(
        ["node", "run.js"], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=30
    )
    assert json.loads(out.stdout) == [True, True, False, False, False]


def test_during_a_rotation_both_secrets_sign_then_only_the_new_one(workspace, receiver):
    endpoint, old = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    new = services.rotate_secret(endpoint, 24)
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == [new, old]
    later = timezone.now() + timedelta(hours=24, seconds=1)
    assert endpoint.signing_secrets(later) == [new]


def test_a_rotation_without_overlap_retires_the_old_secret_at_once(workspace, receiver):
    endpoint, old = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    new = services.rotate_secret(endpoint, 0)
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == [new] and new != old


def test_the_secret_is_stored_encrypted(workspace, receiver):
    from django.db import connection

    endpoint, secret = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_endpoint WHERE id = %s", [endpoint.pk])
        [stored] = cursor.fetchone()
    assert secret not in stored and len(stored) > len(secret)
