"""The managers' digest: posts newly found at risk, as a subject/text/HTML template triple.

Sent through Django's email framework; the workspace header makes the embedded backend
keep a copy in the workspace's Outbox. The Message-ID is stable per digest.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from inviteflow.compliance import queries, services
from inviteflow.compliance.models import Digest
from inviteflow.outreach.backends import WORKSPACE_HEADER


def send_digest(digest: Digest) -> list[str]:
    """Send it; returns the recipients (none: nothing to send)."""
    recipients = services.manager_emails(digest.workspace)
    if recipients:
        digest_email(digest, recipients).send()
    return recipients


def digest_email(digest: Digest, recipients: list[str]) -> EmailMultiAlternatives:
    context = digest_context(digest)
    subject = render_to_string("compliance/email/digest_subject.txt", context).strip()
    text = render_to_string("compliance/email/digest_body.txt", context)
    html = render_to_string("compliance/email/digest_body.html", context)
    host = urlsplit(settings.SITE_URL).hostname or "inviteflow.local"
    email = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={
            "Message-ID": f"<compliance-digest.{digest.pk}@{host}>",
            WORKSPACE_HEADER: digest.workspace.slug,
        },
    )
    email.attach_alternative(html, "text/html")
    return email


def digest_context(digest: Digest) -> dict[str, Any]:
    findings = digest.findings.select_related("post__campaign", "post__creator").order_by(
        "post__published_at", "pk"
    )
    rows = [_row(digest, finding) for finding in findings]
    grace_hours = round(services.takedown_grace().total_seconds() / 3600)
    return {
        "workspace": digest.workspace,
        "posts": rows,
        "count": len(rows),
        "grace_hours": grace_hours,
    }


def _row(digest: Digest, finding: Any) -> dict[str, Any]:
    post = finding.post
    path = reverse("compliance_campaign", args=[digest.workspace.slug, post.campaign_id])
    return {
        "campaign": post.campaign.name,
        "creator": post.creator.name,
        "handle": post.creator.handle,
        "video_id": post.video_id,
        "markers": " ".join(finding.markers),
        "hours_left": queries.hours_left(finding.takedown_at),
        "url": settings.SITE_URL + path,
    }
