"""Read-side helpers shared by views and API endpoints.

Every query starts from a workspace or from an object obtained through the access
helpers, so none of them can reach another tenant's rows.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from inviteflow.outreach.defaults import TIKTOK_INVITE
from inviteflow.outreach.models import EmailTemplate, OutboxMessage, OutreachBatch

Status = OutboxMessage.Status
PUBLIC_STATUSES = ("queued", "sent", "failed")
WHO_CHOICES = (
    ("all", "Everyone on the roster"),
    ("not_emailed", "Only creators not emailed yet for this campaign"),
    ("picked", "Only the creators I tick"),
)


def templates_of(workspace: Workspace) -> QuerySet[EmailTemplate]:
    return scoped(EmailTemplate, workspace).select_related("campaign")


def templates_for(campaign: Campaign) -> list[EmailTemplate]:
    """The templates usable for `campaign`: its own, and the workspace's it does not override."""
    candidates = templates_of(campaign.workspace).filter(Q(campaign=None) | Q(campaign=campaign))
    own = {t.name.lower() for t in candidates if t.campaign_id == campaign.pk}
    return [t for t in candidates if t.campaign_id or t.name.lower() not in own]


def invite_template(templates: list[EmailTemplate]) -> EmailTemplate | None:
    """The template the Send page starts on: the TikTok invite (the campaign's own version
    when it has one, which `templates_for` lists instead of the workspace's)."""
    name = TIKTOK_INVITE.name.lower()
    by_name = (t for t in templates if t.name.lower() == name)
    shipped = (t for t in templates if t.default_key == TIKTOK_INVITE.key)
    return next(by_name, None) or next(shipped, None)


def outbox_of(
    workspace: Workspace, campaign_id: int | None = None, status: str = ""
) -> QuerySet[OutboxMessage]:
    """The workspace's Outbox, newest first; `status` is queued | sent | failed."""
    messages = scoped(OutboxMessage, workspace).select_related("campaign", "creator")
    if campaign_id:
        messages = messages.filter(campaign_id=campaign_id)
    if status == Status.QUEUED:
        messages = messages.filter(status__in=[Status.QUEUED, Status.SENDING])
    elif status in PUBLIC_STATUSES:
        messages = messages.filter(status=status)
    return messages


@dataclass
class Progress:
    total: int
    queued: int
    sent: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


def progress_of(batch: OutreachBatch) -> Progress:
    counts = dict(batch.messages.values_list("status").annotate(n=Count("id")).order_by())
    queued = counts.get(Status.QUEUED, 0) + counts.get(Status.SENDING, 0)
    sent, failed = counts.get(Status.SENT, 0), counts.get(Status.FAILED, 0)
    return Progress(queued + sent + failed, queued, sent, failed)


def batches_of(campaign: Campaign) -> QuerySet[OutreachBatch]:
    return OutreachBatch.objects.filter(campaign=campaign).select_related("created_by")


def batches_in_progress(
    workspace: Workspace, campaign: Campaign | None = None
) -> list[tuple[OutreachBatch, Progress]]:
    """Sends not finished yet, oldest first, with their progress: the pages where sends start
    show them, read from the database, whoever comes back to them."""
    batches = scoped(OutreachBatch, workspace).exclude(status=OutreachBatch.Status.DONE)
    if campaign is not None:
        batches = batches.filter(campaign=campaign)
    batches = batches.select_related("campaign").order_by("created_at", "id")
    return [(batch, progress_of(batch)) for batch in batches]


def roster_creators(campaign: Campaign, search: str = "") -> QuerySet[Creator]:
    creators = scoped(Creator, campaign.workspace).filter(campaign_entries__campaign=campaign)
    term = search.strip().lstrip("@")
    if term:
        creators = creators.filter(Q(name__icontains=term) | Q(handle__icontains=term))
    return creators


def emailed_creator_ids(campaign: Campaign) -> set[int]:
    """Creators who were sent (or are being sent) any email for this campaign."""
    messages = OutboxMessage.objects.filter(
        campaign=campaign, status__in=[Status.QUEUED, Status.SENDING, Status.SENT]
    )
    return set(messages.exclude(creator=None).values_list("creator_id", flat=True))


def chosen_creators(campaign: Campaign, who: str, picked_ids: list[int]) -> list[Creator]:
    """Roster creators by choice: everyone, those not emailed yet, or the ticked ones."""
    roster = roster_creators(campaign)
    if who == "not_emailed":
        emailed = emailed_creator_ids(campaign)
        return [c for c in roster if c.pk not in emailed]
    if who == "picked":
        wanted = set(picked_ids)
        return [c for c in roster if c.pk in wanted]
    return list(roster)


def roster_entries_of(creator: Creator) -> QuerySet[CampaignCreator]:
    """The creator's campaigns, soonest deadline first (for the creator's page)."""
    return (
        CampaignCreator.objects.filter(creator=creator)
        .select_related("campaign")
        .order_by("campaign__ends_on", "campaign_id")
    )


def as_ids(values: list[Any]) -> list[int]:
    """Ticked checkbox values → ids; anything that is not a number is ignored."""
    return [int(v) for v in values if str(v).isdigit()]


def campaigns_with_selected(workspace: Workspace, creators: QuerySet[Creator]) -> list[Campaign]:
    """The workspace's campaigns, each with `selected_on_roster`: how many of `creators`
    are on its roster (only they can be emailed through its Send page)."""
    on_roster = Count("roster", filter=Q(roster__creator__in=creators.values("pk")))
    campaigns = scoped(Campaign, workspace).annotate(selected_on_roster=on_roster)
    return list(campaigns.order_by("-starts_on", "-id"))
