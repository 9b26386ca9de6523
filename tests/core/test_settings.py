"""Production mode refuses unsafe configuration, naming each variable."""

import os
import subprocess
import sys


def settings_import(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import inviteflow.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_names_every_missing_value():
    result = settings_import({"INVITEFLOW_MODE": "production", "DEBUG": "true"})
    assert result.returncode != 0
    for name in ["SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL", "EMAIL_URL"]:
        assert f"{name}:" in result.stderr


def test_production_mode_starts_with_safe_values():
    result = settings_import(
        {
            "INVITEFLOW_MODE": "production",
            "SECRET_KEY": "k" * 20 + "9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
            "ALLOWED_HOSTS": "inviteflow.example.com",
            "DATABASE_URL": "postgresql://u@db/inviteflow",
            "SITE_URL": "https://inviteflow.example.com",
            "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587",
        }
    )
    assert result.returncode == 0, result.stderr


def test_bad_boolean_is_refused_with_its_name():
    result = settings_import({"DEBUG": "maybe"})
    assert "DEBUG must be one of" in result.stderr


def test_bad_email_url_is_refused():
    result = settings_import({"EMAIL_URL": "pigeon://coop"})
    assert "EMAIL_URL scheme" in result.stderr


def test_email_url_schemes_map_to_smtp_settings(tmp_path):
    from inviteflow.mail.config import email_settings_from_url

    starttls = email_settings_from_url(
        "smtp+tls://me%40x.com:p%2Fw@mail.example.com:2525", tmp_path
    )
    assert starttls["EMAIL_HOST"] == "mail.example.com" and starttls["EMAIL_PORT"] == 2525
    assert starttls["EMAIL_HOST_USER"] == "me@x.com" and starttls["EMAIL_HOST_PASSWORD"] == "p/w"
    assert starttls["EMAIL_USE_TLS"] and not starttls["EMAIL_USE_SSL"]
    ssl = email_settings_from_url("smtps://mail.example.com", tmp_path)
    assert ssl["EMAIL_USE_SSL"] and ssl["EMAIL_PORT"] == 465
