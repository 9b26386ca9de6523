"""State changes for outreach: templates, batches of emails, creator pages.

Views, API endpoints and tasks call these; none of them writes outreach rows itself.
Bad input raises Django's ValidationError keyed by field. Delivery of queued
messages lives in delivery.py (the task body).

The idempotency rule — what "the same email twice" means
--------------------------------------------------------
Every OutboxMessage carries a key unique in the database:

    sha256(workspace, campaign, template, creator, recipient address,
           hash of the template's subject + text + HTML, send-again token)

so, for one campaign, a creator receives a given template *as currently worded* at
most once per address, however many times it is sent (double clicks, two managers
sending at once, the API retried, a second batch with the same choices): rows whose
key exists are skipped, with the reason, and the database refuses a duplicate even
when two batches race. Editing the template, or fixing the creator's address, makes
a new email that may be sent. Sending the same wording again on purpose (a second
reminder) is the explicit "Send again" choice: it adds a token to the key — the Send
form's own token, so a double-clicked "Send again" still sends once. Resending a
*failed* message retries the same row and key; it never makes a second one.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import User, Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.creators.models import Creator
from inviteflow.outreach.context import chunks, creator_contexts, missing_values
from inviteflow.outreach.defaults import DEFAULTS
from inviteflow.outreach.models import (
    CreatorPage,
    EmailTemplate,
    OutboxMessage,
    OutreachBatch,
    sha256,
)
from inviteflow.outreach.placeholders import example_context
from inviteflow.outreach.templating import CompiledEmail, RenderedEmail, RenderError, check_email

NAME_MAX, SUBJECT_MAX, BODY_MAX = 120, 255, 100_000
KEY_VERSION = "outreach/v1"
DELIVER_BATCH = job("outreach.deliver_outreach_batch")
Status = OutboxMessage.Status


# --- templates ---------------------------------------------------------------------------------


def ensure_default_templates(workspace: Workspace) -> None:
    """Create the shipped templates the workspace lacks. Idempotent, safe to race."""
    shipped = scoped(EmailTemplate, workspace).exclude(default_key="")
    existing = set(shipped.values_list("default_key", flat=True))
    missing = [
        EmailTemplate(
            workspace=workspace,
            default_key=d.key,
            name=d.name,
            subject=d.subject,
            body=d.body,
            html_body=d.html_body,
        )
        for d in DEFAULTS
        if d.key not in existing
    ]
    if missing:
        EmailTemplate.objects.bulk_create(missing, ignore_conflicts=True)


def create_template(workspace: Workspace, **fields: Any) -> EmailTemplate:
    values = _validated(
        workspace,
        {"name": "", "subject": "", "body": "", "html_body": "", "campaign": None, **fields},
        exclude_pk=None,
    )
    template = EmailTemplate(workspace=workspace, **values)
    _save_unique(template)
    return template


def update_template(template: EmailTemplate, **changes: Any) -> EmailTemplate:
    """Apply the given fields only; the others keep their values."""
    current = {
        name: getattr(template, name)
        for name in ("name", "subject", "body", "html_body", "campaign")
    }
    values = _validated(template.workspace, {**current, **changes}, exclude_pk=template.pk)
    for name, value in values.items():
        setattr(template, name, value)
    _save_unique(template)
    return template


def _validated(workspace: Workspace, fields: dict[str, Any], exclude_pk: int | None) -> dict:
    unknown = set(fields) - {"name", "subject", "body", "html_body", "campaign"}
    if unknown:
        raise ValidationError({name: "cannot be set" for name in sorted(unknown)})
    values = {name: str(fields[name] or "").strip() for name in ("name", "subject")}
    values |= {name: str(fields[name] or "") for name in ("body", "html_body")}
    errors = _length_problems(values)
    problems, _ = check_email(values["subject"], values["body"], values["html_body"])
    for name, messages in problems.items():
        errors.setdefault(name, []).extend(messages)
    campaign = fields["campaign"]
    if campaign is not None and campaign.workspace_id != workspace.pk:
        errors["campaign"] = ["not a campaign of this workspace"]
    if "name" not in errors and _name_taken(workspace, values["name"], campaign, exclude_pk):
        errors["name"] = [_taken(values["name"], campaign)]
    if errors:
        raise ValidationError(errors)
    return {**values, "campaign": campaign}


def _length_problems(values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, limit in (
        ("name", NAME_MAX),
        ("subject", SUBJECT_MAX),
        ("body", BODY_MAX),
        ("html_body", BODY_MAX),
    ):
        if name != "html_body" and not values[name].strip():
            errors[name] = ["required"]
        elif len(values[name]) > limit:
            errors[name] = [f"at most {limit} characters (this one has {len(values[name])})"]
    return errors


def _name_taken(
    workspace: Workspace, name: str, campaign: Campaign | None, exclude_pk: int | None
) -> bool:
    same = scoped(EmailTemplate, workspace).filter(name__iexact=name, campaign=campaign)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


def _taken(name: str, campaign: Campaign | None) -> str:
    where = f"campaign “{campaign.name}”" if campaign else "this workspace"
    return f"{where} already has a template named “{name}”"


def _save_unique(template: EmailTemplate) -> None:
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _taken(template.name, template.campaign)}) from exc


# --- creator pages -----------------------------------------------------------------------------


def ensure_pages(creators: list[Creator]) -> dict[int, CreatorPage]:
    """Every creator's page, created for those who have none yet (idempotent)."""
    pages: dict[int, CreatorPage] = {}
    for chunk in chunks(creators):
        ids = [c.pk for c in chunk]
        pages.update((p.creator_id, p) for p in CreatorPage.objects.filter(creator_id__in=ids))
        new = [_new_page(c) for c in chunk if c.pk not in pages]
        if new:
            CreatorPage.objects.bulk_create(new, ignore_conflicts=True)
            pages.update((p.creator_id, p) for p in CreatorPage.objects.filter(creator_id__in=ids))
    return pages


def _new_page(creator: Creator) -> CreatorPage:
    token, token_hash = CreatorPage.new_token()
    return CreatorPage(
        workspace_id=creator.workspace_id, creator=creator, token=token, token_hash=token_hash
    )


def page_url(page: CreatorPage) -> str:
    return settings.SITE_URL + reverse("creator_page", args=[page.token])


def page_urls(creators: list[Creator]) -> dict[int, str]:
    return {creator_id: page_url(page) for creator_id, page in ensure_pages(creators).items()}


def revoke_page(creator: Creator) -> CreatorPage:
    """A new address for the creator's page; the old one answers 404 from now on."""
    page = ensure_pages([creator])[creator.pk]
    page.token, page.token_hash = CreatorPage.new_token()
    page.revoked_at = timezone.now()
    page.save(update_fields=["token", "token_hash", "revoked_at"])
    return page


# --- preview and plan --------------------------------------------------------------------------


@dataclass
class Preview:
    subject: str = ""
    body: str = ""
    html_body: str = ""
    blocked_reason: str = ""


def preview(
    template: EmailTemplate, campaign: Campaign | None = None, creator: Creator | None = None
) -> Preview:
    """The email as `creator` of `campaign` would get it; the catalogue examples without them."""
    compiled = CompiledEmail(template.subject, template.body, template.html_body)
    if campaign is None or creator is None:
        context = example_context()
        reasons: list[str] = []
    else:
        context = creator_contexts(campaign, [creator], page_urls([creator]))[creator.pk]
        reasons = _blocked_reasons(compiled, creator, context)
    try:
        rendered = compiled.render(context)
    except RenderError as exc:
        return Preview(blocked_reason=str(exc))
    return Preview(rendered.subject, rendered.body, rendered.html_body, "; ".join(reasons))


def _blocked_reasons(compiled: CompiledEmail, creator: Creator, context: dict) -> list[str]:
    reasons = [] if creator.email else ["no email address"]
    return reasons + missing_values(compiled.needed, context)


@dataclass
class Draft:
    creator: Creator
    key: str
    email: RenderedEmail


@dataclass
class Plan:
    """Who a send would reach: ready (with the rendered email), skipped, blocked (with why)."""

    ready: list[Draft] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)


def _outcome(creator: Creator, reason: str) -> dict[str, Any]:
    return {
        "creator_id": creator.pk,
        "name": creator.name,
        "handle": creator.handle,
        "reason": reason,
    }


def idempotency_key(
    campaign: Campaign, template: EmailTemplate, creator: Creator, send_again_token: str = ""
) -> str:
    """See the module docstring: one email per (campaign, template wording, creator, address)."""
    parts = (
        KEY_VERSION,
        campaign.workspace_id,
        campaign.pk,
        template.pk,
        creator.pk,
        creator.email.strip().lower(),
        template.content_hash,
        send_again_token,
    )
    return sha256("\x1f".join(str(p) for p in parts))


def plan_outreach(
    campaign: Campaign,
    template: EmailTemplate,
    creators: Iterable[Creator],
    send_again_token: str = "",
) -> Plan:
    """Render `template` for each creator and sort them into ready / skipped / blocked."""
    compiled = CompiledEmail(template.subject, template.body, template.html_body)
    creators = list({c.pk: c for c in creators}.values())
    contexts = creator_contexts(campaign, creators, page_urls(creators))
    plan = Plan()
    for creator in creators:
        reasons = _blocked_reasons(compiled, creator, contexts[creator.pk])
        try:
            email = compiled.render(contexts[creator.pk])
        except RenderError as exc:
            reasons.append(str(exc))
        if reasons:
            plan.blocked.append(_outcome(creator, "; ".join(reasons)))
        else:
            key = idempotency_key(campaign, template, creator, send_again_token)
            plan.ready.append(Draft(creator, key, email))
    _skip_already_sent(plan)
    return plan


def _skip_already_sent(plan: Plan) -> None:
    existing: dict[str, OutboxMessage] = {}
    for chunk in chunks([draft.key for draft in plan.ready]):
        rows = OutboxMessage.objects.filter(idempotency_key__in=chunk)
        existing.update(
            (m.idempotency_key, m)
            for m in rows.only("idempotency_key", "status", "sent_at", "batch_id")
        )
    if not existing:
        return
    plan.skipped += [
        _outcome(d.creator, _already(existing[d.key])) for d in plan.ready if d.key in existing
    ]
    plan.ready = [draft for draft in plan.ready if draft.key not in existing]


def _already(message: OutboxMessage) -> str:
    if message.status == Status.SENT and message.sent_at:
        return f"already sent this email on {message.sent_at:%d %b %Y %H:%M} UTC"
    if message.status == Status.FAILED:
        return f"an earlier attempt failed: resend it from batch #{message.batch_id}"
    return "already queued"


# --- sending -----------------------------------------------------------------------------------


def new_send_again_token() -> str:
    """The Send form's own token: a double-submitted "Send again" still sends once."""
    return uuid.uuid4().hex


def send_outreach(
    campaign: Campaign,
    template: EmailTemplate,
    creators: Iterable[Creator],
    created_by: User | None = None,
    send_again_token: str = "",
) -> OutreachBatch:
    """Queue one email per ready creator, in one transaction; delivery starts on commit."""
    _check_same_workspace(campaign, template)
    creators = list(creators)
    plan = plan_outreach(campaign, template, creators, send_again_token)
    with transaction.atomic():
        batch = OutreachBatch.objects.create(
            workspace_id=campaign.workspace_id,
            campaign=campaign,
            template=template,
            template_name=template.name,
            created_by=created_by,
            send_again=bool(send_again_token),
            requested=len(creators),
            blocked=plan.blocked,
        )
        _queue_messages(batch, plan)
        if batch.queued:
            enqueue_on_commit(DELIVER_BATCH, batch.pk)
    return batch


def _check_same_workspace(campaign: Campaign, template: EmailTemplate) -> None:
    if template.workspace_id != campaign.workspace_id:
        raise ValidationError({"template_id": "not a template of this workspace"})
    if template.campaign_id not in (None, campaign.pk):
        raise ValidationError({"template_id": "this template is for another campaign"})


def _queue_messages(batch: OutreachBatch, plan: Plan) -> None:
    """Insert the rows; a key another batch took meanwhile becomes a skip, never a second row."""
    OutboxMessage.objects.bulk_create(
        [_message(batch, draft) for draft in plan.ready], batch_size=500, ignore_conflicts=True
    )
    mine = set(OutboxMessage.objects.filter(batch=batch).values_list("idempotency_key", flat=True))
    raced = [
        _outcome(d.creator, "queued by another send at the same moment")
        for d in plan.ready
        if d.key not in mine
    ]
    batch.queued = len(mine)
    batch.skipped = plan.skipped + raced
    if not mine:
        batch.status, batch.finished_at = OutreachBatch.Status.DONE, timezone.now()
    batch.save(update_fields=["queued", "skipped", "status", "finished_at"])


def _message(batch: OutreachBatch, draft: Draft) -> OutboxMessage:
    return OutboxMessage(
        workspace_id=batch.workspace_id,
        campaign_id=batch.campaign_id,
        batch=batch,
        creator=draft.creator,
        template_id=batch.template_id,
        idempotency_key=draft.key,
        message_id=message_id_for(draft.key),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to_email=draft.creator.email,
        subject=draft.email.subject,
        body=draft.email.body,
        html_body=draft.email.html_body,
    )


def message_id_for(key: str) -> str:
    """A stable Message-ID: the same email keeps the same ID on every attempt."""
    host = urlsplit(settings.SITE_URL).hostname or "inviteflow.local"
    return f"<outreach.{key[:40]}@{host}>"


def resend_failed(batch: OutreachBatch) -> int:
    """Queue the batch's failed messages again (same rows, same keys). Returns how many."""
    with transaction.atomic():
        count = _requeue(OutboxMessage.objects.filter(batch=batch))
        if count:
            OutreachBatch.objects.filter(pk=batch.pk).update(
                status=OutreachBatch.Status.QUEUED, finished_at=None
            )
            enqueue_on_commit(DELIVER_BATCH, batch.pk)
    return count


def resend_message(message: OutboxMessage) -> bool:
    """Queue one failed message again; False when it is not failed (nothing to do)."""
    if message.batch_id is None:
        return False
    with transaction.atomic():
        count = _requeue(OutboxMessage.objects.filter(pk=message.pk))
        if count:
            OutreachBatch.objects.filter(pk=message.batch_id).update(
                status=OutreachBatch.Status.QUEUED, finished_at=None
            )
            batch_id = message.batch_id
            enqueue_on_commit(DELIVER_BATCH, batch_id)
    return bool(count)


def _requeue(messages: Any) -> int:
    return messages.filter(status=Status.FAILED).update(
        status=Status.QUEUED, error="", claimed_by="", claimed_at=None, handed_at=None
    )


# --- mail sent by other parts of the app (the embedded Outbox backend) ------------------------


def record_external_email(workspace: Workspace, email: EmailMessage) -> None:
    """Keep a copy of a non-outreach email (e.g. a teammate invitation) in the Outbox."""
    message_id = str(email.extra_headers.get("Message-ID") or uuid.uuid4())
    html = next((c for c, mime in getattr(email, "alternatives", []) if mime == "text/html"), "")
    for to in email.recipients():
        key = sha256(f"external\x1f{message_id}\x1f{to}")
        OutboxMessage.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "workspace": workspace,
                "message_id": message_id,
                "from_email": email.from_email,
                "to_email": parseaddr(to)[1] or to,
                "subject": str(email.subject)[:255],
                "body": str(email.body),
                "html_body": str(html),
                "status": Status.SENT,
                "sent_at": timezone.now(),
            },
        )
