"""The one seam for background work: tasks registered by name, enqueued on commit, and a
system check that fails at startup on a name no task registered."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_tasks_db.models import DBTaskResult

from inviteflow.core import enqueue
from inviteflow.core.checks import background_task_names
from inviteflow.links.services import PROVISION_LINKS


@pytest.fixture
def unknown_name():
    name = enqueue.job("nowhere.no_such_task")
    yield name
    enqueue.DECLARED.discard(name)


def test_every_declared_name_has_a_task():
    assert background_task_names() == []
    assert PROVISION_LINKS in enqueue.DECLARED and PROVISION_LINKS in enqueue.TASKS


def test_a_declared_name_without_a_task_fails_the_system_check(unknown_name):
    [error] = background_task_names()
    assert error.id == "inviteflow.E001" and unknown_name in error.msg
    with pytest.raises(SystemCheckError, match="nowhere.no_such_task"):
        call_command("check")


def test_enqueueing_an_unknown_name_fails_in_the_caller(db, unknown_name):
    with pytest.raises(ImproperlyConfigured, match="no_such_task"):
        enqueue.enqueue_on_commit(unknown_name, 1)


def test_a_task_is_enqueued_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue.enqueue_on_commit(PROVISION_LINKS, 42)
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "inviteflow.links.tasks.provision_links"
    assert queued.args_kwargs["args"] == [42]


def another_provisioning() -> None:
    """A second task under a name that is taken."""


def test_two_tasks_may_not_share_a_name():
    with pytest.raises(ImproperlyConfigured, match="links.provision_links"):
        enqueue.background(PROVISION_LINKS)(another_provisioning)
    assert enqueue.TASKS[PROVISION_LINKS].func.__name__ == "provision_links"
