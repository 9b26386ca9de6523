def test_healthz_reports_database_and_tasks_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "tasks": "ok"}


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_home_sends_a_single_workspace_member_to_its_campaigns(owner_client, actors):
    response = owner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/campaigns/"
