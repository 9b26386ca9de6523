"""Settings → Webhooks: managers add an endpoint (post/redirect/get, the secret shown once),
read the delivery log, redeliver, test, pause, resume, rotate and delete; a viewer is
refused, and another workspace's endpoint is a 404 that changes nothing."""

import re

from inviteflow.integrations.models import Delivery, Endpoint
from inviteflow.integrations.tasks import deliver_webhook
from tests.integrations.conftest import add_endpoint

NEW = "/w/acme/settings/webhooks/new/"


def page(endpoint) -> str:
    return f"/w/acme/settings/webhooks/{endpoint.pk}/"


def test_settings_links_to_webhooks_for_managers(manager_client, viewer_client):
    assert b"/w/acme/settings/webhooks/" in manager_client.get("/w/acme/settings/").content
    assert b"/w/acme/settings/webhooks/" not in viewer_client.get("/w/acme/settings/").content


def test_a_manager_adds_an_endpoint_and_sees_the_secret_once(manager_client, receiver):
    form = {"url": receiver.url, "description": "CRM", "events": ["post.at_risk", "link.ready"]}
    answer = manager_client.post(NEW, form)
    endpoint = Endpoint.objects.get()
    assert answer.status_code == 302 and answer["Location"] == page(endpoint)
    assert endpoint.events == ["link.ready", "post.at_risk"] and endpoint.description == "CRM"

    shown = manager_client.get(page(endpoint)).content.decode()
    assert endpoint.secret in shown and "not shown again" in shown
    assert endpoint.secret not in manager_client.get(page(endpoint)).content.decode()
    listing = manager_client.get("/w/acme/settings/webhooks/").content.decode()
    assert receiver.url in listing and endpoint.secret not in listing


def test_a_loopback_url_is_refused_on_the_form_by_default(settings, manager_client):
    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = []
    answer = manager_client.post(NEW, {"url": "http://127.0.0.1:8000/", "events": ["link.ready"]})
    assert answer.status_code == 200
    html = answer.content.decode()
    field = re.search(r'<div class="field has-error">\s*<label for="id_url">', html)
    assert field and "private or reserved address" in html
    assert not Endpoint.objects.exists()


def test_no_event_chosen_is_an_error_on_events(manager_client, receiver):
    answer = manager_client.post(NEW, {"url": receiver.url})
    assert "Choose at least one event type." in answer.content.decode()
    assert not Endpoint.objects.exists()


def test_the_delivery_log_shows_status_answer_and_attempts_and_redelivers(
    manager_client, workspace, receiver
):
    endpoint, _ = add_endpoint(workspace, receiver.url, ["link.ready"])
    receiver.script = [500]
    assert manager_client.post(page(endpoint) + "test/").status_code == 302
    [sent] = Delivery.objects.all()
    deliver_webhook.call(sent.pk)
    html = manager_client.get(page(endpoint)).content.decode()
    row = re.search(rf'<tr id="delivery-{sent.pk}">.*?</tr>', html, re.S).group(0)
    assert "webhook.test" in row and "pending" in row and "500" in row and "next try" in row
    assert "<td>1</td>" in row  # attempts

    manager_client.post(page(endpoint) + f"deliveries/{sent.pk}/redeliver/")
    again = Delivery.objects.exclude(pk=sent.pk).get()
    assert again.event_id == sent.event_id
    deliver_webhook.call(again.pk)
    assert [r.json["id"] for r in receiver.received] == [sent.event.public_id] * 2


def test_pause_resume_rotate_edit_and_delete(manager_client, workspace, receiver):
    endpoint, old = add_endpoint(workspace, receiver.url, ["link.ready"])
    manager_client.post(page(endpoint) + "pause/")
    assert not Endpoint.objects.get().active
    manager_client.post(page(endpoint) + "resume/")
    assert Endpoint.objects.get().active

    manager_client.post(page(endpoint) + "rotate/")
    rotated = Endpoint.objects.get()
    assert rotated.secret != old and rotated.previous_secret == old
    assert rotated.secret in manager_client.get(page(endpoint)).content.decode()

    edit = {"url": receiver.url + "/v2", "description": "new", "events": ["post.removed"]}
    assert manager_client.post(page(endpoint), edit).status_code == 302
    edited = Endpoint.objects.get()
    assert (edited.url, edited.events) == (receiver.url + "/v2", ["post.removed"])

    manager_client.post(page(endpoint) + "delete/")
    assert not Endpoint.objects.exists()


def test_a_viewer_may_not_see_or_change_webhooks(viewer_client, workspace, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, ["link.ready"])
    assert viewer_client.get("/w/acme/settings/webhooks/").status_code == 403
    assert viewer_client.get(page(endpoint)).status_code == 403
    assert viewer_client.post(page(endpoint) + "pause/").status_code == 403
    assert (
        viewer_client.post(NEW, {"url": receiver.url, "events": ["link.ready"]}).status_code == 403
    )
    assert Endpoint.objects.get().active and Endpoint.objects.count() == 1


def test_another_workspaces_endpoint_is_a_404_and_nothing_changes(
    outsider_client, workspace, receiver
):
    endpoint, secret = add_endpoint(workspace, receiver.url, ["link.ready"])
    from inviteflow.integrations import outbox

    delivery = outbox.send_test_event(endpoint)
    mine = f"/w/globex/settings/webhooks/{endpoint.pk}/"
    answers = [
        outsider_client.get(page(endpoint)),  # not a member of acme
        outsider_client.get(mine),  # through the outsider's own workspace
        *(
            outsider_client.post(mine + action)
            for action in ["pause/", "resume/", "rotate/", "test/", "delete/"]
        ),
        outsider_client.post(mine, {"url": "http://127.0.0.1/x", "events": ["link.ready"]}),
        outsider_client.post(mine + f"deliveries/{delivery.pk}/redeliver/"),
    ]
    assert [a.status_code for a in answers] == [404] * 9
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.secret == secret and endpoint.url == receiver.url
    assert Delivery.objects.count() == 1
