"""EMAIL_URL → Django email settings.

outbox://                     embedded default: messages are kept (files under var/mail)
console://                    print messages to the console
smtp://user:pass@host:25      plain SMTP
smtp+tls://user:pass@host:587 SMTP with STARTTLS
smtps://user:pass@host:465    SMTP over TLS
"""

from pathlib import Path
from urllib.parse import unquote, urlparse

from inviteflow.env import ConfigError

SMTP_SCHEMES = {"smtp": (False, False), "smtp+tls": (True, False), "smtps": (False, True)}


def email_settings_from_url(url: str, mail_dir: Path) -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "outbox":
        return {
            "EMAIL_BACKEND": "inviteflow.outreach.backends.OutboxFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in SMTP_SCHEMES:
        raise ConfigError(
            f"EMAIL_URL scheme must be one of outbox, console, smtp, smtp+tls, smtps; "
            f"got {parsed.scheme!r}"
        )
    use_tls, use_ssl = SMTP_SCHEMES[parsed.scheme]
    return {
        "EMAIL_BACKEND": "inviteflow.mail.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 20,
    }
