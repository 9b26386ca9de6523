"""Outreach emails serialised straight to SMTP wire bytes.

Django's EmailMessage builds MIME with the standard library's email package. Its header
folding and encoded-word handling cost about 0.8 ms per message, more than the whole SMTP
exchange on a loopback relay, and a batch sends thousands. Outreach emails have a single
shape (a UTF-8 text part, maybe an HTML alternative, plain addresses), so they are written
here in a few string operations. Anything outside that shape (a non-ASCII address, a line
break in a header) gets no wire form and goes through Django's own builder.

The SMTP backend in `inviteflow.mail.smtp` sends the wire form when an email carries one;
every other backend (file, console, Outbox, tests' locmem) uses the ordinary EmailMessage.
"""

import base64
import binascii
import secrets
from dataclasses import dataclass
from email.utils import formataddr, formatdate, parseaddr
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

CRLF = "\r\n"
LINE_LIMIT = 998  # RFC 5322: octets per line, CRLF excluded
ENCODED_WORD_OCTETS = 45  # 45 octets → 60 base64 chars: each encoded word stays ≤ 75


@dataclass(frozen=True)
class Wire:
    envelope_from: str
    recipients: list[str]
    data: bytes


class WiredEmail(EmailMultiAlternatives):
    """A Django email whose SMTP wire form `build` writes, when it has the shape outreach uses:
    one recipient, a Message-ID, text and at most an HTML alternative, nothing else. Built on
    first use, so backends that never send wire bytes never pay for them."""

    @cached_property
    def wire(self) -> Wire | None:
        html = [
            content
            for content, mimetype in self.alternatives
            if mimetype == "text/html" and isinstance(content, str)
        ]
        simple = (
            len(self.to) == 1
            and len(html) == len(self.alternatives) <= 1
            and not (self.cc or self.bcc or self.reply_to or self.attachments)
            and set(self.extra_headers) == {"Message-ID"}
        )
        if not simple:
            return None
        return build(
            subject=str(self.subject),
            body=str(self.body),
            html_body=html[0] if html else "",
            from_email=self.from_email,
            to=self.to[0],
            message_id=self.extra_headers["Message-ID"],
        )


def build(
    *, subject: str, body: str, html_body: str, from_email: str, to: str, message_id: str
) -> Wire | None:
    """The message as SMTP DATA bytes, or None when it needs Django's general builder."""
    sender = parseaddr(from_email)
    if not (_plain_address(sender[1]) and _plain_address(to)):
        return None
    if any(_breaks_line(value) for value in (subject, from_email, to, message_id)):
        return None
    headers = [
        ("From", formataddr(sender, charset="utf-8")),
        ("To", to),
        ("Subject", encode_header(subject)),
        ("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
    ]
    lines = [f"{name}: {value}" for name, value in headers]
    if html_body:
        boundary = _boundary(body, html_body)
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        lines += ["", f"--{boundary}", *_part("plain", body), f"--{boundary}"]
        lines += [*_part("html", html_body), f"--{boundary}--", ""]
    else:
        lines += _part("plain", body)
    return Wire(sender[1], [to], CRLF.join(lines).encode("utf-8"))


def encode_header(value: str) -> str:
    """ASCII within the line limit as it is; otherwise RFC 2047 encoded words (UTF-8, base64),
    folded one word per line, never splitting a character."""
    if value.isascii() and len(value) < 900:
        return value
    words, chunk = [], b""
    for char in value:
        octets = char.encode("utf-8")
        if len(chunk) + len(octets) > ENCODED_WORD_OCTETS:
            words.append(chunk)
            chunk = b""
        chunk += octets
    words.append(chunk)
    return f"{CRLF} ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def _part(subtype: str, content: str) -> list[str]:
    """Header lines, a blank line and the encoded body of one text part."""
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii() and all(len(line) <= LINE_LIMIT for line in text.split("\n")):
        encoding, encoded = "7bit", text
    else:
        encoding = "quoted-printable"
        encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        f"Content-Transfer-Encoding: {encoding}",
        "",
        *encoded.split("\n"),
    ]


def _boundary(*contents: str) -> str:
    while True:
        boundary = f"=_inviteflow_{secrets.token_hex(12)}"
        if not any(boundary in content for content in contents):
            return boundary


def _plain_address(address: str) -> bool:
    return address.isascii() and address.count("@") == 1


def _breaks_line(value: str) -> bool:
    return "\n" in value or "\r" in value
