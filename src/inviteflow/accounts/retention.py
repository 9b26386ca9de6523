"""What accounts keep: the security log for SECURITY_LOG_RETENTION_DAYS, and failed-login
records only while they can still lock (the cool-off)."""

from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings

from inviteflow.accounts.models import SecurityEvent
from inviteflow.core.retention import pruner


@pruner("accounts.security_log", SecurityEvent)
def prune_security_log(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS)
    return SecurityEvent.objects.filter(created_at__lt=cutoff).delete()[0]


@pruner("accounts.expired_login_failures", AccessAttempt)
def prune_login_failures(now: datetime) -> int:
    cutoff = now - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
