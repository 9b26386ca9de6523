"""The directly built wire form of an outreach email reads exactly like the one Django's MIME
builder makes, for the awkward cases too; and the SMTP backend sends it as it is."""

import email
import email.policy

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection

from inviteflow.mail import wire
from inviteflow.outreach.delivery import as_email
from inviteflow.outreach.models import OutboxMessage

LONG_LINE = "word " * 300  # 1,500 characters on one line
CASES = {
    "ascii": ("Your link", "Hi Ada,\nhttps://t.example/x/\n", "<p>Hi Ada</p>"),
    "accents and emoji": ("Spring Launch · @ada · 🎬", "Héllo Zoë — ça va?\n", "<p>Zoë 🎬</p>"),
    "long subject": ("é" * 200, "body\n", ""),
    "long ascii subject": ("x" * 250, "body\n", ""),
    "long line": ("Long", LONG_LINE, f"<p>{LONG_LINE}</p>"),
    "dots and From": ("Dots", ".\n..leading dots\nFrom the brand\n.", ""),
    "trailing spaces and tabs": ("Spaces", "end with spaces   \nand a tab\t\n", ""),
    "windows line endings": ("CRLF", "one\r\ntwo\r\n", "<p>one</p>\r\n<p>two</p>"),
    "text only": ("Only text", "Just text, no HTML.", ""),
    "looks like a boundary": ("B", "--=_inviteflow_\n", "--=_inviteflow_"),
}


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def django_bytes(subject, body, html, sender, to, message_id) -> bytes:
    message = EmailMultiAlternatives(
        subject, body, sender, [to], headers={"Message-ID": message_id}
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.message().as_bytes(linesep="\r\n")


def content(message, subtype):
    part = message.get_body((subtype,))
    return None if part is None else part.get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("case", CASES)
def test_wire_form_reads_like_djangos(case):
    subject, body, html = CASES[case]
    fields = dict(
        from_email='"Bench Brand, Inc." <hello@brand.test>',
        to="ada@creators.test",
        message_id="<outreach.abc@inviteflow.test>",
    )
    built = wire.build(subject=subject, body=body, html_body=html, **fields)
    ours = parse(built.data)
    theirs = parse(
        django_bytes(subject, body, html, fields["from_email"], fields["to"], fields["message_id"])
    )

    for header in ("Subject", "From", "To", "Message-ID", "MIME-Version"):
        # .strip(): Django folds a long Subject right after the colon, which reads as a space
        assert str(ours[header]) == str(theirs[header]).strip(), header
    assert ours.get_content_type() == theirs.get_content_type()
    assert content(ours, "plain") == content(theirs, "plain")
    assert content(ours, "html") == content(theirs, "html")
    assert ours["Date"].datetime is not None
    assert not ours.defects and all(not part.defects for part in ours.walk())
    lines = built.data.split(b"\r\n")
    assert all(len(line) <= 998 and b"\n" not in line and b"\r" not in line for line in lines)
    assert (built.envelope_from, built.recipients) == ("hello@brand.test", ["ada@creators.test"])


@pytest.mark.parametrize("to", ["zoë@exämple.test", "ada@creators.test\nBcc: eve@evil.test"])
def test_unusual_addresses_are_left_to_django(to):
    assert (
        wire.build(
            subject="S", body="b", html_body="", from_email="a@b.test", to=to, message_id="<m@x>"
        )
        is None
    )


def outreach_shaped(**changes) -> wire.WiredEmail:
    fields = dict(
        subject="Hello",
        body="Body",
        from_email="hello@brand.test",
        to=["ada@creators.test"],
        headers={"Message-ID": "<wired@inviteflow.test>"},
    )
    message = wire.WiredEmail(**{**fields, **changes})
    message.attach_alternative("<p>Body</p>", "text/html")
    return message


def test_an_outreach_shaped_email_has_a_wire_form():
    message = outreach_shaped()
    assert parse(message.wire.data)["Message-ID"] == "<wired@inviteflow.test>"
    assert content(parse(message.wire.data), "html") == "<p>Body</p>"


@pytest.mark.parametrize(
    "changes",
    [
        {"to": ["ada@creators.test", "bo@creators.test"]},
        {"cc": ["boss@brand.test"]},
        {"reply_to": ["team@brand.test"]},
        {"headers": {}},
        {"headers": {"Message-ID": "<m@x>", "X-Campaign": "spring"}},
        {"attachments": [("brief.txt", "Daylight.", "text/plain")]},
    ],
)
def test_any_other_shape_is_left_to_django(changes):
    assert outreach_shaped(**changes).wire is None


def test_smtp_backend_sends_the_wire_bytes_as_they_are(smtp):
    message = outreach_shaped()
    plain = wire.WiredEmail("Plain", "Built by Django", "hello@brand.test", ["bo@creators.test"])
    assert plain.wire is None, "no Message-ID: not the outreach shape"

    with get_connection() as connection:
        assert connection.send_messages([message, plain]) == 2

    wired, built = smtp.messages
    assert wired.get_boundary() == parse(message.wire.data).get_boundary()
    assert wired.get_boundary().startswith("=_inviteflow_"), "our bytes, not rebuilt"
    assert (wired["To"], content(wired, "html")) == ("ada@creators.test", "<p>Body</p>")
    assert (built["Subject"], content(built, "plain").strip()) == ("Plain", "Built by Django")


def test_outbox_messages_go_out_in_wire_form():
    message = OutboxMessage(
        subject="Hi",
        body="Body",
        html_body="<p>Body</p>",
        from_email="hello@brand.test",
        to_email="ada@creators.test",
        message_id="<outreach.k@inviteflow.test>",
    )
    email = as_email(message)
    assert email.wire is not None
    assert parse(email.wire.data)["Message-ID"] == "<outreach.k@inviteflow.test>"
