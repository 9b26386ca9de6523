"""Compliance fixtures: the posts app's sandbox world (acme connected to a live sandbox over
loopback, webhooks captured), creators with email addresses, and a one-call scan."""

import pytest

from tests.posts.conftest import immediate_tasks, posts_sandbox, world  # noqa: F401


@pytest.fixture(autouse=True)
def compliance_settings(settings):
    """Reads in the test's own thread (threads would need a transactional test database)."""
    settings.COMPLIANCE_SCAN_CONCURRENCY = 1
