"""The email to a workspace's owners when inviteflow pauses one of its webhook endpoints:
a subject/text/HTML template triple, kept in the workspace's Outbox like every email."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from inviteflow.accounts.models import Membership, Role
from inviteflow.integrations.models import Endpoint
from inviteflow.outreach.backends import WORKSPACE_HEADER


def owner_emails(endpoint: Endpoint) -> list[str]:
    owners = Membership.objects.filter(workspace_id=endpoint.workspace_id, role=Role.OWNER)
    return sorted(email for email in owners.values_list("user__email", flat=True) if email)


def send_paused(endpoint: Endpoint) -> list[str]:
    recipients = owner_emails(endpoint)
    if recipients:
        paused_email(endpoint, recipients).send()
    return recipients


def paused_email(endpoint: Endpoint, recipients: list[str]) -> EmailMultiAlternatives:
    context = _context(endpoint)
    subject = render_to_string("integrations/email/paused_subject.txt", context).strip()
    email = EmailMultiAlternatives(
        subject,
        render_to_string("integrations/email/paused_body.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={WORKSPACE_HEADER: endpoint.workspace.slug},
    )
    email.attach_alternative(
        render_to_string("integrations/email/paused_body.html", context), "text/html"
    )
    return email


def _context(endpoint: Endpoint) -> dict[str, Any]:
    path = reverse("webhook_endpoint", args=[endpoint.workspace.slug, endpoint.pk])
    return {"endpoint": endpoint, "workspace": endpoint.workspace, "url": settings.SITE_URL + path}
