"""The API fuzzed in CI: Schemathesis runs every operation of docs/openapi.json against the
live app (a real HTTP server on loopback), with an owner's key and with a read-only key,
and fails on any 5xx, undocumented status or content type, or a response that does not
match the document.

Bounded for CI (about 1,600 cases, a minute or two): the owner's key gets the coverage
phase — every boundary the document defines: integers past the limits, NUL and odd
characters, missing and wrong-typed fields — and MAX_EXAMPLES random cases per operation;
the read-only key, whose writes all stop at 403, gets the random cases. One worker (the
live server shares the test's database connection) and a fixed seed, so a failure
reproduces (FUZZ_SEED overrides it). The test prints the operations and cases tried, and
Schemathesis's report, with a curl line per failure, when it fails.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inviteflow.accounts.services import create_api_key
from tests.insights.support import campaign_with_posts
from tests.outreach.factories import template

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
SCHEMATHESIS = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
MAX_EXAMPLES = 5
SEED = os.environ.get("FUZZ_SEED", "20261203")
BUDGET_S = 300  # a guard for a stuck run; the two runs take one to two minutes together


@pytest.fixture
def seeded(actors):
    """Objects with small ids, which the fuzzer's integers often hit: a campaign with
    creators, invite links and posts, and an email template."""
    campaign_with_posts(actors.workspace, {"ada": 2, "bob": 1})
    template(actors.workspace)
    return actors.workspace


def fuzz(base_url: str, key: str, phases: str, workdir: Path) -> tuple[int, str]:
    command = [
        str(SCHEMATHESIS),
        f"--config-file={CONFIG}",
        "run",
        str(SCHEMA),
        f"--url={base_url}",
        f"--header=Authorization: Bearer {key}",
        f"--checks={','.join(CHECKS)}",
        f"--phases={phases}",
        f"--max-examples={MAX_EXAMPLES}",
        "--workers=1",  # the live server shares the test's database connection
        f"--seed={SEED}",
        "--no-color",
        "--request-timeout=30",
    ]
    done = subprocess.run(  # in workdir: Schemathesis keeps a cache where it runs
        command, capture_output=True, text=True, timeout=BUDGET_S, check=False, cwd=workdir
    )
    return done.returncode, done.stdout + done.stderr


def tried(output: str) -> str:
    operations = re.search(r"Tested: (\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    return (
        f"{operations.group(1) if operations else '?'} operations, "
        f"{cases.group(1) if cases else '?'} cases"
    )


@pytest.mark.timeout(2 * BUDGET_S)
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="fuzzed once per make test, in the SQLite pass: the input guard answers before any "
    "query, and tests/api/test_unusual_input.py runs on both databases",
)
def test_the_api_survives_fuzzing_with_owner_and_read_only_keys(live_server, seeded, tmp_path):
    runs = {
        "owner": (create_api_key(seeded, "fuzz owner")[1], "coverage,fuzzing"),
        "read-only": (create_api_key(seeded, "fuzz read-only", read_only=True)[1], "fuzzing"),
    }
    failures = []
    for label, (key, phases) in runs.items():
        started = time.monotonic()
        code, output = fuzz(live_server.url, key, phases, tmp_path)
        seconds = time.monotonic() - started
        print(f"schemathesis, {label} key ({phases}): {tried(output)} in {seconds:.0f} s")
        if code != 0:
            failures.append(f"--- {label} key ---\n{output}")
    assert not failures, "\n".join(failures)
