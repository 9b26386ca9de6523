"""Production mode passes Django's deployment checks and answers like a site behind TLS:
HTTPS redirect behind the documented proxy header, HSTS, secure cookies, the CSP."""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

INVITEFLOW = Path(sys.executable).parent / "inviteflow"
PROBE = """
import django
django.setup()
from django.test import Client
plain = Client().get("/login/")
print("plain", plain.status_code, plain.get("Location"))
tls = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
print("tls", tls.status_code)
print("hsts", tls.get("Strict-Transport-Security"))
print("csp", tls.get("Content-Security-Policy"))
print("csrf-cookie-secure", bool(tls.cookies["csrftoken"]["secure"]))
"""


def production_env(**extra: str) -> dict[str, str]:
    # The browser tests' async switch is not for production (check --deploy says so).
    unset = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    keep = {k: v for k, v in os.environ.items() if k not in unset}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "inviteflow.settings",
        "INVITEFLOW_MODE": "production",
        "INVITEFLOW_VAR_DIR": tempfile.mkdtemp(),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver,inviteflow.example.com",
        "DATABASE_URL": "postgresql://inviteflow@127.0.0.1:1/inviteflow",  # never connected
        "SITE_URL": "https://inviteflow.example.com",
        "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587",
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_has_no_warnings_in_production_mode():
    result = run(
        [str(INVITEFLOW), "check", "--deploy", "--fail-level", "WARNING"], production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_a_disabled_protection():
    env = production_env(SECURE_SSL_REDIRECT="false")
    result = run([str(INVITEFLOW), "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0 and "security.W008" in result.stderr


def test_production_redirects_to_https_and_sends_hsts_behind_the_proxy():
    result = run([sys.executable, "-c", PROBE], production_env())
    assert result.returncode == 0, result.stderr
    answers = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert answers["plain"] == "301 https://testserver/login/"
    assert answers["tls"] == "200"
    assert answers["hsts"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in answers["csp"]
    assert answers["csrf-cookie-secure"] == "True"


def test_hsts_is_configurable():
    env = production_env(SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="false")
    result = run([sys.executable, "-c", PROBE], env)
    answers = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert answers["hsts"] == "max-age=600", result.stderr
