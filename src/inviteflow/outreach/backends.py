"""The embedded default email backend (EMAIL_URL=outbox://).

Nothing leaves the machine: every message is written to a file under
EMAIL_FILE_PATH (var/mail), and every message shows in the in-app Outbox.
Outreach emails are Outbox rows before they are sent (delivery marks them sent
when this backend accepts them), so only mail from elsewhere in the app — say a
teammate invitation — needs recording here. Such mail names its workspace in an
`X-Inviteflow-Workspace` header (the slug); mail without one (e.g. a password
reset, which belongs to no workspace) is kept in the file only.
"""

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileBackend

from inviteflow.accounts.models import Workspace

WORKSPACE_HEADER = "X-Inviteflow-Workspace"
OUTREACH_MESSAGE_ID = "<outreach."


class OutboxFileBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        for email in email_messages:
            self._record(email)
        return sent

    @staticmethod
    def _record(email: EmailMessage) -> None:
        from inviteflow.outreach.services import record_external_email

        if str(email.extra_headers.get("Message-ID", "")).startswith(OUTREACH_MESSAGE_ID):
            return
        slug = email.extra_headers.get(WORKSPACE_HEADER)
        workspace = Workspace.objects.filter(slug=slug).first() if slug else None
        if workspace is not None:
            record_external_email(workspace, email)
