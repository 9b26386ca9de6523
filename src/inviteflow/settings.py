"""inviteflow settings: environment variables only, read through strict helpers.

Two modes. The embedded default (a laptop, `make run`) needs no configuration:
SQLite under var/, a generated SECRET_KEY kept under var/, the database task
backend, and an in-app outbox for email. Production mode
(INVITEFLOW_MODE=production) refuses to start while a required value is
missing or unsafe, naming each one.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url

from inviteflow.env import (
    ConfigError,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
    persistent_secret,
)
from inviteflow.mail.config import email_settings_from_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("INVITEFLOW_VAR_DIR", str(PROJECT_DIR / "var")))

MODE = env_str("INVITEFLOW_MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ConfigError(f"INVITEFLOW_MODE must be 'embedded' or 'production', not {MODE!r}")
PRODUCTION = MODE == "production"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY") or (
    "" if PRODUCTION else persistent_secret(VAR_DIR / "secret_key")
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:" + env_str("PORT", "8000")).rstrip("/")

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_url("REDIS_URL")
EMAIL_URL = env_str("EMAIL_URL", "outbox://")
TASKS_BACKEND = env_str("TASKS_BACKEND", "db")

TIKTOK_API_BASE_URL = env_url("TIKTOK_API_BASE_URL", "https://business-api.tiktok.com").rstrip("/")
# Hosts (and their subdomains) of TikTok's CDN whose https thumbnails pages may show as images
# (and the posts page's img-src allows); any other thumbnail URL gets a placeholder.
TIKTOK_CDN_HOSTS = "tiktokcdn.com,tiktokcdn-us.com,tiktokcdn-eu.com"
TIKTOK_THUMBNAIL_HOSTS = [
    host.lower().lstrip(".") for host in env_list("TIKTOK_THUMBNAIL_HOSTS", TIKTOK_CDN_HOSTS)
]
# TikTok's consent screen for connecting a TikTok One account; empty means
# TIKTOK_API_BASE_URL + /portal/auth (TikTok's, or the sandbox's stand-in).
TIKTOK_AUTH_URL = env_url("TIKTOK_AUTH_URL")
TIKTOK_APP_ID = env_str("TIKTOK_APP_ID")
TIKTOK_APP_SECRET = env_str("TIKTOK_APP_SECRET")
TIKTOK_TIMEOUT_S = env_float("TIKTOK_TIMEOUT_S", 10.0)
TIKTOK_QPS = env_int("TIKTOK_QPS", 10)
TIKTOK_QPM = env_int("TIKTOK_QPM", 600)
TIKTOK_THROTTLE_COOLDOWN_S = env_int("TIKTOK_THROTTLE_COOLDOWN_S", 300)
# A first throttle answer pauses every process this long and slows the pace to 80 % for
# TIKTOK_THROTTLE_SLOWDOWN_S; a second within a minute starts the full cool-down above.
TIKTOK_THROTTLE_PAUSE_S = env_float("TIKTOK_THROTTLE_PAUSE_S", 5.0)
TIKTOK_THROTTLE_SLOWDOWN_S = env_float("TIKTOK_THROTTLE_SLOWDOWN_S", 300.0)
# Safety margin of the shared limiter's windows: clock drift between machines (a call counts
# until its answer, so the way to TikTok needs none).
TIKTOK_LIMIT_MARGIN_S = env_float("TIKTOK_LIMIT_MARGIN_S", 0.05)
# A web request waits at most this long for a TikTok call slot, then enqueues or says so.
TIKTOK_INTERACTIVE_LIMITER_TIMEOUT_S = env_float("TIKTOK_INTERACTIVE_LIMITER_TIMEOUT_S", 1.0)


def _request_size(name: str, default: int, most: int | None = None) -> int:
    """Items per TikTok list call: at least 1, and at most `most` where TikTok documents it."""
    size = env_int(name, default)
    if size < 1 or (most is not None and size > most):
        raise ConfigError(f"{name} must be {f'1 to {most}' if most else 'at least 1'}, not {size}")
    return size


def _retired(name: str, instead: str) -> None:
    if env_str(name):
        raise ConfigError(f"{name} is no longer read: remove it; {instead} sets that size now")


# Items per TikTok list call (tiktok.sizes): defaults at or under what TikTok documents or is
# reported to accept (contract §1.6, §4.3, §5.4, §6.4, §13). Once TikTok refuses a size, every
# process sends half of it; Settings → TikTok shows what was learned.
TIKTOK_VIDEO_LIST_LIMIT = _request_size("TIKTOK_VIDEO_LIST_LIMIT", 10)  # documented 1-10
TIKTOK_CAMPAIGN_PAGE_SIZE = _request_size("TIKTOK_CAMPAIGN_PAGE_SIZE", 5, most=5)  # at most 5
TIKTOK_LINK_STATUS_PAGE_SIZE = _request_size("TIKTOK_LINK_STATUS_PAGE_SIZE", 10)  # unknown
TIKTOK_REPORT_PAGE_SIZE = _request_size("TIKTOK_REPORT_PAGE_SIZE", 10)  # unknown
TIKTOK_ORDER_PAGE_SIZE = _request_size("TIKTOK_ORDER_PAGE_SIZE", 10)  # legacy, documented 1-20
TIKTOK_IDS_PER_CALL = _request_size("TIKTOK_IDS_PER_CALL", 10)  # campaign_ids/video_ids, unknown
_retired("COMPLIANCE_SCAN_PAGE_SIZE", "TIKTOK_VIDEO_LIST_LIMIT")
_retired("INSIGHTS_REPORT_PAGE_SIZE", "TIKTOK_REPORT_PAGE_SIZE")
# Concurrent TikTok calls per provisioning task: enough that latency does not bound
# throughput; the shared limiter keeps the installation under the QPS/QPM whatever it is.
LINK_PROVISIONING_CONCURRENCY = env_int("LINK_PROVISIONING_CONCURRENCY", 4)
# TikTok may make a link's object without its invite link (contract §13): it is read back every
# LINK_URL_RECHECK_SECONDS, and the link fails after LINK_URL_TIMEOUT_MINUTES without one.
LINK_URL_RECHECK_SECONDS = env_float("LINK_URL_RECHECK_SECONDS", 5.0)
LINK_URL_TIMEOUT_MINUTES = env_float("LINK_URL_TIMEOUT_MINUTES", 15.0)
# How long a worker owns the links it claimed. A live worker renews its claims every third of
# this, so a dead worker's expire soon after it died and another worker takes over.
LINK_CLAIM_SECONDS = env_int("LINK_CLAIM_SECONDS", 20)
# One provisioning task stops creating after this long and hands the rest to a fresh task, so
# no task outlives the task backend's timeout however large the campaign.
LINK_PROVISIONING_SLICE_SECONDS = env_int("LINK_PROVISIONING_SLICE_SECONDS", 300)


def production_problems() -> list[str]:
    """What production mode refuses, one line per variable."""
    problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("django-insecure", "change")):
        problems.append("SECRET_KEY: required, at least 50 random characters")
    if DEBUG:
        problems.append("DEBUG: must be false in production")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS: required, the host names you serve (no '*')")
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL: required, a postgresql:// URL")
    if not SITE_URL.startswith("https://"):
        problems.append("SITE_URL: required, the public https:// URL of this installation")
    if EMAIL_URL.startswith(("outbox:", "console:")):
        problems.append("EMAIL_URL: required, an smtp:// (or smtp+tls://, smtps://) URL")
    if TASKS_BACKEND == "rq" and not REDIS_URL:
        problems.append("REDIS_URL: required when TASKS_BACKEND=rq")
    return problems


if PRODUCTION and production_problems():
    raise ConfigError(
        "inviteflow refuses to start in production mode:\n  " + "\n  ".join(production_problems())
    )
if TASKS_BACKEND not in {"db", "rq"}:
    raise ConfigError(f"TASKS_BACKEND must be 'db' or 'rq', not {TASKS_BACKEND!r}")
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ConfigError("REDIS_URL: required when TASKS_BACKEND=rq (RQ keeps its queues in Redis)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI for /api/v1/docs from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "inviteflow.core",
    "inviteflow.accounts",
    "inviteflow.creators",
    "inviteflow.campaigns",
    "inviteflow.tiktok",
    "inviteflow.links",
    "inviteflow.posts",
    "inviteflow.compliance",
    "inviteflow.insights",
    "inviteflow.outreach",
    "inviteflow.overview",
    "inviteflow.integrations",
    "inviteflow.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "inviteflow.api.errors.JsonErrorsMiddleware",  # /api/ errors are JSON, 404 and 500 too
    "inviteflow.core.input_guard.InputGuardMiddleware",  # NUL, surrogates, >64-bit
    "inviteflow.core.uploads.UploadLimitMiddleware",  # 413 past UPLOAD_MAX_BYTES
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "inviteflow.urls"
WSGI_APPLICATION = "inviteflow.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inviteflow.accounts.context.workspace",
            ],
        },
    },
]


def database_config() -> dict[str, Any]:
    if DATABASE_URL:
        config: dict[str, Any] = dj_database_url.parse(  # type: ignore[assignment]
            DATABASE_URL, conn_max_age=60, conn_health_checks=True
        )
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "inviteflow.sqlite3"),
        }
    if config["ENGINE"].endswith("sqlite3"):
        # WAL lets the web app read while a worker writes; IMMEDIATE avoids
        # deadlocking upgrades from read to write locks between processes.
        # Tests use a file too: an in-memory database's shared cache fails fast with
        # "table is locked" where worker threads should wait for each other.
        config["TEST"] = {"NAME": str(VAR_DIR / "test_inviteflow.sqlite3")}
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    # The TLS-terminating proxy in front sets X-Forwarded-Proto (README: Production).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe, and Prometheus scrapes (METRICS_ALLOWED_IPS), over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Joining browsers' preload lists is a one-way decision left to the operator.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp) on every page: scripts and styles from our own origin
# only, a nonce for the rare inline script that needs one, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "font-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Login throttling (django-axes): failed logins are counted per account and per client
# address, on /login/ and /admin/login/ alike; either one reaching the limit locks that
# account or address for the cool-off. A successful login clears its account's count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("LOGIN_COOLOFF_MINUTES", 15.0))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "inviteflow.accounts.throttle.login_email"
AXES_CLIENT_IP_CALLABLE = "inviteflow.core.clients.client_address"
AXES_LOCKOUT_CALLABLE = "inviteflow.accounts.throttle.locked_out"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # our audit log (Settings → Security log) records logins
# Reverse proxies in front of the app that append to X-Forwarded-For. 0 (the default) reads
# the client address from the connection only, since anyone can send that header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Retention (core.retention): `inviteflow prune`, and a job every PRUNE_EVERY_HOURS, empty
# processed webhook bodies and delete old log rows after these many days.
PRUNE_EVERY_HOURS = env_float("PRUNE_EVERY_HOURS", 24.0)
WEBHOOK_BODY_RETENTION_DAYS = env_int("WEBHOOK_BODY_RETENTION_DAYS", 30)
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 365)
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 14)

# Background work runs on three queues so that one kind never waits behind another: TikTok
# calls (paced by TikTok's rate limit), email delivery, and local work (imports, sweeps,
# pruning). `inviteflow worker --queues` places them; a worker takes all three by default.
TASK_QUEUES = ["tiktok", "email", "default"]
# Workers beat every WORKER_BEAT_SECONDS; one silent for WORKER_DEAD_AFTER_SECONDS is dead, and
# the tasks it was running are failed and enqueued again (every task is idempotent).
WORKER_BEAT_SECONDS = env_float("WORKER_BEAT_SECONDS", 5.0)
WORKER_DEAD_AFTER_SECONDS = env_float("WORKER_DEAD_AFTER_SECONDS", 20.0)
# The most a task may run on RQ before RQ kills it; long work is sliced well below it.
TASK_TIMEOUT_SECONDS = env_int("TASK_TIMEOUT_SECONDS", 1800)
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": TASK_TIMEOUT_SECONDS} for name in TASK_QUEUES
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

globals().update(email_settings_from_url(EMAIL_URL, VAR_DIR / "mail"))
# Post attribution: how often campaigns are reconciled with TikTok, and how long TikTok
# takes to surface a linked video in its campaign and report endpoints.
ATTRIBUTION_SYNC_MINUTES = env_int("ATTRIBUTION_SYNC_MINUTES", 15)
ATTRIBUTION_SURFACE_DELAY_HOURS = env_float("ATTRIBUTION_SURFACE_DELAY_HOURS", 48.0)
# Compliance: how often roster creators' public posts are scanned for unlinked branded posts,
# TikTok's usual takedown delay, and the scan's shape and remedies' bounds.
COMPLIANCE_SCAN_MINUTES = env_int("COMPLIANCE_SCAN_MINUTES", 60)
COMPLIANCE_TAKEDOWN_HOURS = env_float("COMPLIANCE_TAKEDOWN_HOURS", 72.0)
COMPLIANCE_SCAN_AFTER_END_DAYS = env_int("COMPLIANCE_SCAN_AFTER_END_DAYS", 3)
COMPLIANCE_SCAN_MAX_PAGES = env_int("COMPLIANCE_SCAN_MAX_PAGES", 50)  # 500 posts at 10 a page
COMPLIANCE_SCAN_CONCURRENCY = env_int("COMPLIANCE_SCAN_CONCURRENCY", 4)
COMPLIANCE_LINK_REMINDERS_MAX = env_int("COMPLIANCE_LINK_REMINDERS_MAX", 3)
COMPLIANCE_LINK_REMINDER_HOURS = env_float("COMPLIANCE_LINK_REMINDER_HOURS", 24.0)
COMPLIANCE_UNSURE_AFTER_SECONDS = env_int("COMPLIANCE_UNSURE_AFTER_SECONDS", 60)
# Insights: how often TikTok's reports are read (TikTok refreshes about daily), report reads
# at once per sync, and TikTok's tracking window.
INSIGHTS_SYNC_HOURS = env_int("INSIGHTS_SYNC_HOURS", 6)
INSIGHTS_SYNC_CONCURRENCY = env_int("INSIGHTS_SYNC_CONCURRENCY", 4)
INSIGHTS_TRACKING_DAYS = env_int("INSIGHTS_TRACKING_DAYS", 21)
# Parallel SMTP connections used to deliver an outreach batch.
OUTREACH_SMTP_CONNECTIONS = env_int("OUTREACH_SMTP_CONNECTIONS", 4)
# Outgoing webhooks reach public addresses only, unless listed here (host names or CIDRs,
# comma-separated: `hooks.internal,10.0.0.0/8`); each attempt waits at most this long.
OUTGOING_WEBHOOKS_ALLOWED_HOSTS = env_list("OUTGOING_WEBHOOKS_ALLOWED_HOSTS")
OUTGOING_WEBHOOKS_TIMEOUT_SECONDS = env_float("OUTGOING_WEBHOOKS_TIMEOUT_SECONDS", 5.0)
# The most characters one rendered email (subject + text + HTML) may have; a template that
# would make a larger one is refused for that creator (a template's source is 100,000 at most).
OUTREACH_EMAIL_MAX_CHARS = env_int("OUTREACH_EMAIL_MAX_CHARS", 500_000)
# Multipart uploads: a file larger than this is not read past the limit, and answers 413.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "inviteflow.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "inviteflow <no-reply@inviteflow.local>")

# Prometheus metrics (core/metrics.py). Every process of one machine counts into files in one
# directory, which /metrics and `inviteflow metrics` add up; it is set here, before anything
# imports prometheus_client, and inherited by the processes `inviteflow run` starts.
METRICS_DIR = Path(env_str("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "metrics")))
METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# Who may read /metrics: addresses or networks (CIDR); loopback only by default.
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS", "127.0.0.1/8,::1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
