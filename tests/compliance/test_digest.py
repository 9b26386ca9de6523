"""The managers' digest: one email per batch of posts newly found at risk, to owners and
managers, with the text and the HTML part; none when nothing is new; a failed send is
released and sent by the periodic retry, once."""

from django.core import mail

from inviteflow.compliance import services, tasks
from inviteflow.compliance.models import Digest
from tests.compliance.support import flag_post
from tests.posts.factories import campaign_with


def open_and_send(workspace, on_commit):
    with on_commit(execute=True):
        return services.open_digest(workspace)


def test_one_digest_per_batch_of_new_posts(
    workspace, django_capture_on_commit_callbacks, immediate_tasks
):
    campaign = campaign_with(workspace, {"ada": 1, "bob": 1})
    first = flag_post(campaign, "ada", hours_ago=20)
    open_and_send(workspace, django_capture_on_commit_callbacks)
    assert open_and_send(workspace, django_capture_on_commit_callbacks) is None  # nothing new
    second = flag_post(campaign, "bob")
    open_and_send(workspace, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2 and Digest.objects.filter(sent_at__isnull=False).count() == 2
    one, two = mail.outbox
    assert one.subject == "Acme: 1 post published without the invite link"
    assert sorted(one.to) == ["manager@acme.test", "owner@acme.test"]
    assert first.video_id in one.body and "52.0 h left" in one.body
    assert second.video_id not in one.body and second.video_id in two.body
    html = one.alternatives[0][0]
    assert first.video_id in html and f"/w/acme/compliance/campaigns/{campaign.pk}/" in html
    assert one.extra_headers["X-Inviteflow-Workspace"] == "acme"


def test_a_failed_digest_is_retried_once(
    workspace, settings, django_capture_on_commit_callbacks, immediate_tasks
):
    campaign = campaign_with(workspace, {"ada": 1})
    flag_post(campaign, "ada")
    settings.EMAIL_BACKEND = "tests.compliance.test_digest.Broken"
    digest = open_and_send(workspace, django_capture_on_commit_callbacks)
    digest.refresh_from_db()
    assert digest.sent_at is None and "SMTP down" in digest.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for pending in (1, 0):  # each run commits (and so enqueues) before the next
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.send_pending_digests.call() == pending
    assert len(mail.outbox) == 1 and tasks.send_digest.call(digest.pk) == 0


class Broken:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")
