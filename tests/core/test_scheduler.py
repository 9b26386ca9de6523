from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.core import scheduler
from inviteflow.core.models import ScheduledJob


@pytest.fixture
def counting_job(monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "REGISTRY", {})
    scheduler.periodic("test.count", every_seconds=60)(lambda: calls.append(1))
    return calls


def test_due_job_is_enqueued_once_per_period(db, counting_job):
    assert scheduler.run_due_jobs() == ["test.count"]
    assert scheduler.run_due_jobs() == []  # a second scheduler in the same period gets nothing
    assert counting_job == [1]


def test_job_runs_again_when_its_period_has_passed(db, counting_job):
    scheduler.run_due_jobs()
    ScheduledJob.objects.filter(name="test.count").update(
        next_run_at=timezone.now() - timedelta(seconds=1)
    )
    assert scheduler.run_due_jobs() == ["test.count"]
    assert counting_job == [1, 1]
