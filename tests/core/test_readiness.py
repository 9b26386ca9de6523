"""/readyz: the database, Redis (when configured) and the task backend, each named when it
fails; /healthz stays cheap and does not wait on Redis."""

import socket

import pytest
import redis


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def reachable_redis_url() -> str:
    url = "redis://127.0.0.1:6379/12"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return url


def test_ready_when_the_database_and_task_backend_answer(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "backend": "db",
        "failed": [],
        "checks": {"database": "ok", "tasks": "ok"},  # no Redis configured: not checked
    }


def test_not_ready_when_redis_is_configured_and_closed(client, db, settings, closed_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis"]
    assert body["checks"]["redis"] == "error: ConnectionError"
    assert body["checks"]["database"] == body["checks"]["tasks"] == "ok"
    assert str(closed_port) not in response.content.decode()  # no connection details


def test_on_rq_a_closed_redis_fails_redis_and_the_task_backend(client, db, settings, closed_port):
    settings.TASKS_BACKEND = "rq"
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["backend"] == "rq"
    assert body["failed"] == ["redis", "tasks"]
    assert "Redis" in body["checks"]["tasks"]


def test_ready_with_a_reachable_redis(client, db, settings, reachable_redis_url):
    settings.REDIS_URL = reachable_redis_url
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "tasks": "ok"}


def test_not_ready_when_the_task_backend_cannot_load(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "inviteflow.no_such.Backend"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["tasks"]


def test_healthz_stays_cheap_while_redis_is_down(client, db, settings, closed_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["backend"] == "db"


def test_readyz_answers_get_only(client, db):
    assert client.post("/readyz").status_code == 405
