def test_healthz_reports_database_and_tasks_ok_and_names_the_backend(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "tasks": "ok", "backend": "db"}


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_home_sends_a_single_workspace_member_to_its_overview(owner_client, actors):
    response = owner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/"
