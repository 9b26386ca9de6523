"""The embedded default backend: every message lands in a file and in the in-app Outbox."""

from django.core import mail

from inviteflow.outreach import delivery, services
from inviteflow.outreach.backends import WORKSPACE_HEADER
from inviteflow.outreach.models import OutboxMessage
from tests.outreach.factories import roster, template

BACKEND = "inviteflow.outreach.backends.OutboxFileBackend"


def mail_files(path) -> str:
    return "".join(p.read_text() for p in path.iterdir())


def test_outreach_is_written_to_files_and_marked_sent(workspace, campaign, settings, tmp_path):
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = BACKEND, str(tmp_path)
    people = roster(campaign, "ada", "bob")
    delivery.deliver_batch(services.send_outreach(campaign, template(workspace), people).pk)
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]
    files = mail_files(tmp_path)
    assert "To: ada@creators.test" in files and "To: bob@creators.test" in files


def test_other_mail_naming_its_workspace_shows_in_the_outbox(workspace, settings, tmp_path):
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = BACKEND, str(tmp_path)
    mail.EmailMessage(
        "Join Acme", "Click", "a@x.test", ["new@team.test"], headers={WORKSPACE_HEADER: "acme"}
    ).send()
    mail.send_mail("Reset your password", "Click", "a@x.test", ["someone@x.test"])
    (recorded,) = OutboxMessage.objects.all()
    assert (recorded.workspace, recorded.to_email, recorded.subject, recorded.status) == (
        workspace,
        "new@team.test",
        "Join Acme",
        "sent",
    )
    assert "Reset your password" in mail_files(tmp_path)
