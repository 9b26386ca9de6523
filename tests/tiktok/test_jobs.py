"""The one runner of background jobs that call TikTok: connect, work, map TikTok's errors
to an outcome with a pause reason, record it, and come back after a throttle's cool-down."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inviteflow.links.services import PROVISION_LINKS
from inviteflow.tiktok import errors, jobs
from inviteflow.tiktok.connections import TikTokAccount
from inviteflow.tiktok.models import Pause, TikTokConnection
from inviteflow.tiktok.ratelimit import get_limiter


class Job(jobs.TikTokJob[str]):
    """Does nothing on TikTok: raises, or records, the error it is given."""

    task_name = PROVISION_LINKS

    def __init__(self, workspace, raises=None, records=None, starts=True):
        self.workspace, self.args = workspace, (7,)
        self.raises, self.records, self.starts = raises, records, starts
        self.worked, self.finished = [], []

    def start(self):
        return self.starts

    def work(self, account: TikTokAccount) -> str:
        self.worked.append(account.account_id)
        if self.raises:
            raise self.raises
        return "done"

    def stopped_by(self, result):
        return self.records

    def finish(self, outcome):
        self.finished.append(outcome)


@pytest.fixture
def connected(workspace):
    TikTokConnection.objects.create(workspace=workspace, account_id="71", access_token="t")
    return workspace


def run(job):
    outcome = jobs.run(job)
    assert job.finished == ([outcome] if job.starts else [])
    return outcome


def test_work_done(connected):
    job = Job(connected)
    outcome = run(job)
    assert (outcome.result, outcome.error, outcome.pause) == ("done", "", None)
    assert job.worked == ["71"]


def test_a_job_with_nothing_to_do_does_not_connect(connected):
    job = Job(connected, starts=False)
    assert run(job).skipped and job.worked == []


def test_not_connected_pauses_with_what_to_do(workspace):
    job = Job(workspace)
    outcome = run(job)
    assert outcome.pause == Pause.NOT_CONNECTED and "connect it in Settings" in outcome.error
    assert job.worked == []


@pytest.mark.parametrize(
    ("error", "pause", "says"),
    [
        (errors.AuthError(40105, "token revoked"), Pause.ACCESS_REFUSED, "reconnect TikTok"),
        (errors.PermissionDenied(40001, "no scope"), Pause.ACCESS_REFUSED, "reconnect TikTok"),
        (errors.Timeout(None, "read timed out"), Pause.CONNECTION_LOST, "did not answer"),
        (errors.InvalidParams(40002, "bad page"), None, "TikTok answered 40002"),
    ],
)
def test_tiktok_errors_become_a_pause_reason_and_a_message(connected, error, pause, says):
    raised = run(Job(connected, raises=error))
    recorded = run(Job(connected, records=error))  # kept partial progress, same outcome
    assert (raised.pause, recorded.pause) == (pause, pause)
    assert says in raised.error and raised.error == recorded.error
    assert (raised.result, recorded.result) == (None, "done")
    assert raised.retry_at is None


def test_a_throttled_job_comes_back_after_the_installations_cool_down(
    connected, django_capture_on_commit_callbacks
):
    get_limiter().start_cooldown(120)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(Job(connected, raises=errors.Throttled(40100, "too many requests")))
    assert outcome.pause == Pause.THROTTLED and "40100" in outcome.error
    assert outcome.retry_at > timezone.now() + timedelta(seconds=115)
    [again] = DBTaskResult.objects.all()
    assert again.task_path.endswith("provision_links") and again.args_kwargs["args"] == [7]
    assert abs((again.run_after - outcome.retry_at).total_seconds()) < 1
    assert outcome.retry_at.strftime("%H:%M") in outcome.error  # "paused until HH:MM"
