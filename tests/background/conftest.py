"""On the RQ pass, each test starts from an empty Redis database (queues, limiter, jobs)."""

import pytest
from django.conf import settings

from tests.outreach.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)


@pytest.fixture(autouse=True)
def empty_redis():
    if settings.TASKS_BACKEND != "rq":
        yield
        return
    import django_rq

    connection = django_rq.get_connection("default")
    connection.flushdb()
    yield
    connection.flushdb()
