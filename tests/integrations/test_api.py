"""/api/v1/webhook-endpoints: the secret once, field-named errors that change nothing,
pagination, pause/resume, rotation, test events, the delivery log and redelivery; another
workspace's endpoint is a 404 and a read-only key may only read."""

import pytest

from inviteflow.integrations.models import Delivery, Endpoint
from inviteflow.integrations.tasks import deliver_webhook
from tests.integrations.conftest import add_endpoint, readme_verify

EVENTS = ["post.attributed", "post.at_risk"]


def create(api, url, events=EVENTS, **extra):
    return api.post("/webhook-endpoints", {"url": url, "events": events, **extra})


def test_create_answers_201_with_id_and_the_secret_shown_only_then(api, receiver):
    answer = create(api, receiver.url, description="CRM")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["secret"].startswith("whsec_") and body["events"] == EVENTS
    assert (body["url"], body["description"], body["active"]) == (receiver.url, "CRM", True)
    endpoint = Endpoint.objects.get(pk=body["id"])
    assert endpoint.secret == body["secret"]
    listed = api.get("/webhook-endpoints").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    assert "secret" not in api.get(f"/webhook-endpoints/{body['id']}").json()


def test_a_loopback_url_is_refused_by_default_naming_url(settings, api):
    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = []
    for url in [
        "http://127.0.0.1:8000/x",
        "http://[::1]/x",
        "http://10.0.0.5/x",
        "http://169.254.169.254/latest",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/",
    ]:
        answer = create(api, url)
        assert answer.status_code == 422, url
        body = answer.json()
        assert body["code"] == "invalid" and body["errors"][0]["field"] == "url"
        assert "OUTGOING_WEBHOOKS_ALLOWED_HOSTS" in body["message"]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "ftp://example.com/x", "events": EVENTS}, "url"),
        ({"url": "", "events": EVENTS}, "url"),
        ({"url": "http://127.0.0.1/x", "events": []}, "events"),
        ({"url": "http://127.0.0.1/x", "events": ["post.nope"]}, "events.0"),
        ({"url": "http://127.0.0.1/x", "events": EVENTS, "description": "x" * 201}, "description"),
        ({"events": EVENTS}, "url"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(api, payload, field):
    answer = api.post("/webhook-endpoints", payload)
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"][0]["field"] == field
    assert not Endpoint.objects.exists()


def test_the_list_paginates_like_the_other_lists(api, workspace, receiver):
    for n in range(3):
        add_endpoint(workspace, f"{receiver.url}/{n}", EVENTS)
    page = api.get("/webhook-endpoints?limit=2&offset=1").json()
    assert page["count"] == 3 and [e["url"][-1] for e in page["items"]] == ["1", "2"]
    assert api.get("/webhook-endpoints?limit=501").status_code == 422


def test_patch_pauses_resumes_and_changes_events_and_description(api, workspace, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, EVENTS)
    path = f"/webhook-endpoints/{endpoint.pk}"
    assert api.patch(path, {"active": False}).json()["active"] is False
    changed = api.patch(path, {"events": ["link.failed"], "description": "Ops"}).json()
    assert (changed["events"], changed["description"], changed["active"]) == (
        ["link.failed"],
        "Ops",
        False,
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=endpoint.created_at, consecutive_failures=9, paused_reason="failing"
    )
    resumed = api.patch(path, {"active": True}).json()
    assert resumed["active"] is True and resumed["consecutive_failures"] == 0
    assert resumed["paused_reason"] == "" and resumed["failing_since"] is None
    refused = api.patch(path, {"events": []})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "events"
    assert Endpoint.objects.get(pk=endpoint.pk).events == ["link.failed"]


def test_delete(api, workspace, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, EVENTS)
    assert api.delete(f"/webhook-endpoints/{endpoint.pk}").status_code == 204
    assert not Endpoint.objects.exists()


def test_rotation_answers_the_new_secret_and_deliveries_carry_both(api, workspace, receiver):
    endpoint, old = add_endpoint(workspace, receiver.url, EVENTS)
    answer = api.post(f"/webhook-endpoints/{endpoint.pk}/rotate-secret", {"overlap_hours": 2})
    assert answer.status_code == 200
    new = answer.json()["secret"]
    assert new != old and answer.json()["previous_secret_until"]
    bad = api.post(f"/webhook-endpoints/{endpoint.pk}/rotate-secret", {"overlap_hours": 1000})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "overlap_hours"

    sent = api.post(f"/webhook-endpoints/{endpoint.pk}/test")
    assert sent.status_code == 202 and sent.json()["event_type"] == "webhook.test"
    deliver_webhook.call(sent.json()["id"])
    [got] = receiver.received
    header = got.headers["Inviteflow-Signature"]
    assert header.count("v1=") == 2
    verify = readme_verify()
    assert verify(new, header, got.body) and verify(old, header, got.body)


def test_the_delivery_log_paginates_and_redeliver_sends_the_same_event(api, workspace, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, EVENTS)
    receiver.script = [500]
    first = api.post(f"/webhook-endpoints/{endpoint.pk}/test").json()
    deliver_webhook.call(first["id"])
    api.post(f"/webhook-endpoints/{endpoint.pk}/test")

    log = api.get(f"/webhook-endpoints/{endpoint.pk}/deliveries?limit=1&offset=1").json()
    assert log["count"] == 2
    [entry] = log["items"]
    assert (entry["id"], entry["status"], entry["response_status"], entry["attempts"]) == (
        first["id"],
        "pending",
        500,
        1,
    )
    again = api.post(f"/webhook-endpoints/{endpoint.pk}/deliveries/{first['id']}/redeliver")
    assert again.status_code == 202
    assert again.json()["event_id"] == first["event_id"] and again.json()["id"] != first["id"]
    deliver_webhook.call(again.json()["id"])
    assert [r.json["id"] for r in receiver.received] == [first["event_id"]] * 2


def test_another_workspaces_endpoint_is_a_404_and_nothing_changes(
    outsider_api, workspace, receiver
):
    endpoint, secret = add_endpoint(workspace, receiver.url, EVENTS)
    delivery = Delivery.objects.get(pk=_test_delivery(endpoint))
    base = f"/webhook-endpoints/{endpoint.pk}"
    answers = [
        outsider_api.get(base),
        outsider_api.patch(base, {"active": False}),
        outsider_api.delete(base),
        outsider_api.post(f"{base}/rotate-secret", {}),
        outsider_api.post(f"{base}/test"),
        outsider_api.get(f"{base}/deliveries"),
        outsider_api.post(f"{base}/deliveries/{delivery.pk}/redeliver"),
    ]
    assert [a.status_code for a in answers] == [404] * 7
    assert {a.json()["code"] for a in answers} == {"not_found"}
    assert outsider_api.get("/webhook-endpoints").json() == {"items": [], "count": 0}
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.secret == secret and Delivery.objects.count() == 1


def test_a_delivery_of_another_endpoint_is_a_404(api, workspace, receiver):
    mine, _ = add_endpoint(workspace, receiver.url, EVENTS)
    other, _ = add_endpoint(workspace, receiver.url + "/2", EVENTS)
    foreign = _test_delivery(other)
    answer = api.post(f"/webhook-endpoints/{mine.pk}/deliveries/{foreign}/redeliver")
    assert answer.status_code == 404 and Delivery.objects.count() == 1


def test_a_read_only_key_may_read_but_not_write(readonly_api, workspace, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, EVENTS)
    base = f"/webhook-endpoints/{endpoint.pk}"
    assert readonly_api.get("/webhook-endpoints").status_code == 200
    assert readonly_api.get(f"{base}/deliveries").status_code == 200
    writes = [
        create(readonly_api, receiver.url),
        readonly_api.patch(base, {"active": False}),
        readonly_api.delete(base),
        readonly_api.post(f"{base}/rotate-secret", {}),
        readonly_api.post(f"{base}/test"),
    ]
    assert [w.status_code for w in writes] == [403] * 5
    assert {w.json()["code"] for w in writes} == {"read_only_key"}
    assert Endpoint.objects.count() == 1 and Endpoint.objects.get().active
    assert not Delivery.objects.exists()


def test_without_a_key_401(client):
    assert client.get("/api/v1/webhook-endpoints").status_code == 401


def _test_delivery(endpoint) -> int:
    from inviteflow.integrations import outbox

    return outbox.send_test_event(endpoint).pk
