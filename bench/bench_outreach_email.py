"""Outreach email throughput: 5,000 personalised emails through the real code path, against a
bare loop sending 5,000 pre-rendered messages over one SMTP connection.

Both talk to the same aiosmtpd server on loopback, run in its own process so it does not
compete with the sender for the GIL. The real path is everything a click on "Send" costs:
render the shipped "TikTok invite" (text + HTML) for each creator, insert the Outbox rows in
one transaction, then deliver them — claim, hand over, send, record — on a temporary SQLite
database. Target: ratio ≥ 0.5.

The target is against ready MIME bytes pushed through smtplib over one connection (the
socket alone). The bench also prints a second reference: stock Django EmailMessages through
Django's stock SMTP backend, which builds each MIME message with the standard library — the
cost inviteflow avoids by writing outreach emails' wire bytes itself (inviteflow.mail.wire).

    python bench/bench_outreach_email.py [--creators 5000] [--rounds 3]
"""

import argparse
import multiprocessing
import os
import smtplib
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.5


# --- the SMTP server, in its own process ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_smtp(port: int, received, ready) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def start_smtp_server():
    port, received, ready = free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    process = multiprocessing.Process(target=serve_smtp, args=(port, received, ready), daemon=True)
    process.start()
    if not ready.wait(20):
        sys.exit("the SMTP server did not start")
    return port, received, process


# --- Django on a temporary database ---------------------------------------------------------------


def set_up_django(var_dir: str, smtp_port: int) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        INVITEFLOW_VAR_DIR=var_dir,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        DJANGO_SETTINGS_MODULE="inviteflow.settings",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(count: int, round_no: int):
    """A workspace, a campaign, `count` creators on its roster, one active link each."""
    from inviteflow.accounts.services import create_workspace
    from inviteflow.campaigns.models import CampaignCreator
    from inviteflow.campaigns.services import create_campaign
    from inviteflow.creators.models import Creator
    from inviteflow.links.models import InviteLink

    workspace = create_workspace(f"bench-{round_no}", "Bench Brand")
    campaign = create_campaign(
        workspace,
        name="Spring Launch",
        starts_on=date(2025, 5, 1),
        ends_on=date(2025, 5, 31),
        posts_required=12,
        hashtags=["springlaunch"],
        brief="Daylight.",
    )
    Creator.objects.bulk_create(
        Creator(
            workspace=workspace,
            name=f"Creator {i}",
            handle=f"creator_{i}",
            email=f"creator{i}@bench.test",
        )
        for i in range(count)
    )
    creators = list(Creator.objects.filter(workspace=workspace).order_by("pk"))
    CampaignCreator.objects.bulk_create(
        CampaignCreator(campaign=campaign, creator=c) for c in creators
    )
    InviteLink.objects.bulk_create(
        InviteLink(
            workspace=workspace,
            campaign=campaign,
            creator=c,
            sequence=1,
            status=InviteLink.Status.ACTIVE,
            url=f"https://www.tiktok.com/t/{c.handle}/",
        )
        for c in creators
    )
    return workspace, campaign, creators


# --- the two loops --------------------------------------------------------------------------------


def real_path(workspace, campaign, creators) -> tuple[float, float, object]:
    """Queue (render + insert) and deliver through services and delivery. Returns both times."""
    from inviteflow.outreach import delivery, services
    from inviteflow.outreach.models import EmailTemplate

    services.ensure_default_templates(workspace)
    invite = EmailTemplate.objects.get(workspace=workspace, default_key="tiktok_invite")
    start = time.perf_counter()
    batch = services.send_outreach(campaign, invite, creators)
    queued = time.perf_counter()
    delivery.deliver_batch(batch.pk)
    return queued - start, time.perf_counter() - queued, batch


def bare_loops(batch, port: int) -> tuple[float, float]:
    """The same messages, already rendered, sent in a loop over one connection — as stock
    Django EmailMessages through Django's stock SMTP backend (which builds each MIME message),
    and as ready bytes through smtplib (nothing left to do but the socket)."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    emails = []
    for m in batch.messages.order_by("pk"):
        email = EmailMultiAlternatives(
            m.subject, m.body, m.from_email, [m.to_email], headers={"Message-ID": m.message_id}
        )
        email.attach_alternative(m.html_body, "text/html")
        emails.append(email)
    start = time.perf_counter()
    with get_connection("django.core.mail.backends.smtp.EmailBackend") as connection:
        for email in emails:
            connection.send_messages([email])
    django_s = time.perf_counter() - start
    wire = [(e.from_email, e.to, e.message().as_bytes(linesep="\r\n")) for e in emails]
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipients, content in wire:
            smtp.sendmail(sender, recipients, content)
    return django_s, time.perf_counter() - start


@dataclass
class Round:
    queue_s: float
    deliver_s: float
    django_s: float
    wire_s: float

    @property
    def real_s(self) -> float:
        return self.queue_s + self.deliver_s


def one_round(count: int, round_no: int, port: int, received) -> Round:
    """The real path, then both bare loops on the same messages, side by side."""
    workspace, campaign, creators = seed(count, round_no)
    before = received.value
    queue_s, deliver_s, batch = real_path(workspace, campaign, creators)
    sent, real_received = batch.messages.filter(status="sent").count(), received.value - before
    django_s, wire_s = bare_loops(batch, port)
    if sent != count or real_received != count or received.value - before != 3 * count:
        sys.exit(f"lost emails: {sent} marked sent, {received.value - before} of {3 * count}")
    return Round(queue_s, deliver_s, django_s, wire_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3, help="medians are reported")
    args = parser.parse_args()
    port, received, server = start_smtp_server()
    with tempfile.TemporaryDirectory(prefix="bench-outreach-") as var_dir:
        set_up_django(var_dir, port)
        rounds = [one_round(args.creators, n, port, received) for n in range(args.rounds)]
    server.terminate()
    report(args.creators, rounds)


def report(count: int, rounds: list[Round]) -> None:
    def line(label: str, attribute: str) -> str:
        seconds = median(getattr(r, attribute) for r in rounds)
        return f"{label:<40}{seconds:7.2f} s  {count / seconds:7.0f} emails/s"

    print(
        f"{count} personalised emails, loopback SMTP (aiosmtpd in its own process), "
        f"median of {len(rounds)} rounds"
    )
    print(line("  render + queue (one transaction)", "queue_s"))
    print(line("  deliver (claim, hand over, send)", "deliver_s"))
    print(line("real path, end to end", "real_s"))
    print(line("bare loop, stock Django SMTP backend", "django_s"))
    print(line("bare loop, smtplib, ready bytes", "wire_s"))
    for name, attribute in (("smtplib, ready bytes", "wire_s"), ("stock Django", "django_s")):
        ratios = [getattr(r, attribute) / r.real_s for r in rounds]
        verdict = "ok" if median(ratios) >= TARGET_RATIO else "below target"
        each = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        label = f"ratio real / bare, {name}"
        print(
            f"{label:<42}{median(ratios):5.2f}  (rounds: {each}; target ≥ {TARGET_RATIO}: "
            f"{verdict})"
        )


if __name__ == "__main__":
    main()
