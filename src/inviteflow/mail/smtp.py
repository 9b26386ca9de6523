"""Django's SMTP backend, sending an email's ready wire bytes when it carries them.

EMAIL_URL=smtp://… selects this backend. Connection, STARTTLS/TLS, auth, timeouts and
errors are Django's; the only difference is that a WiredEmail carrying its wire form (see
`inviteflow.mail.wire`) is not built again by the standard library's MIME classes.
"""

import smtplib

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

from inviteflow.mail.wire import WiredEmail


class EmailBackend(DjangoSMTPBackend):
    def _send(self, email_message: EmailMessage) -> bool:
        wire = email_message.wire if isinstance(email_message, WiredEmail) else None
        if wire is None or self.connection is None:
            return super()._send(email_message)  # type: ignore[misc]  # missing in django-stubs
        try:
            self.connection.sendmail(wire.envelope_from, wire.recipients, wire.data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
