"""Background entry points of compliance. All idempotent: safe to run twice or together.

Periodic: every connected workspace's scannable campaigns are scanned every
COMPLIANCE_SCAN_MINUTES (default 60), each scan followed by reconciliation of remedies
and a digest of the posts newly found at risk; digests that failed are retried.
"""

import logging
from collections.abc import Callable

from django.conf import settings

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import emails, reconciliation, remedies, scanning, services
from inviteflow.compliance.models import Digest
from inviteflow.core.enqueue import EMAIL, TIKTOK, background, enqueue_on_commit, job
from inviteflow.core.scheduler import every
from inviteflow.tiktok import jobs
from inviteflow.tiktok.connections import TikTokAccount
from inviteflow.tiktok.models import TikTokConnection

log = logging.getLogger(__name__)

SCAN_MINUTES = settings.COMPLIANCE_SCAN_MINUTES
SCAN_WORKSPACE = job("compliance.scan_workspace")
SCAN_ALL = job("compliance.scan_all")
SEND_PENDING_DIGESTS = job("compliance.send_pending_digests")
NO_FIGURES = {"creators_scanned": 0, "videos_seen": 0, "calls": 0, "found": 0}


class Scan(jobs.TikTokJob[scanning.Scan]):
    """Read the creators of `campaigns` for unlinked branded posts, then reconcile remedies."""

    def __init__(
        self,
        task_name: str,
        workspace: Workspace,
        campaigns: list[Campaign],
        read_creators: Callable[[scanning.Scan], object],
    ) -> None:
        self.task_name, self.workspace, self.args = task_name, workspace, ()
        self.campaigns, self.read_creators = campaigns, read_creators
        self.scan: scanning.Scan | None = None
        self.aborted = ""

    def start(self) -> bool:
        self.states = services.scans_started(self.campaigns)
        return True

    def work(self, account: TikTokAccount) -> scanning.Scan:
        self.scan = scanning.Scan(self.workspace, account.client, account.account_id)
        try:
            self.read_creators(self.scan)
        except scanning.ScanAborted as exc:
            self.aborted = f"{exc}; the next scan goes on from there."
            return self.scan
        for campaign in self.campaigns:
            reconciliation.reconcile(campaign, account)
        return self.scan

    def finish(self, outcome: jobs.Outcome[scanning.Scan]) -> None:
        services.scans_finished(self.states, self.figures, outcome.error or self.aborted)
        services.open_digest(self.workspace)

    @property
    def figures(self) -> dict[str, int]:
        """What was read, also when TikTok stopped the scan half-way."""
        scan = self.scan
        if scan is None:
            return NO_FIGURES
        return {
            "creators_scanned": scan.creators_scanned,
            "videos_seen": scan.videos_seen,
            "calls": scan.calls,
            "found": scan.found,
        }


def _scan(job_: Scan, *args: int) -> dict[str, object]:
    job_.args = args
    outcome = jobs.run(job_)
    return {**job_.figures, "error": outcome.error or job_.aborted}


@background(services.SCAN_CAMPAIGN, TIKTOK)
def scan_campaign(campaign_id: int) -> dict[str, object]:
    """Scan now: the campaign's roster, then its remedies."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}

    def read_creators(scan: scanning.Scan) -> object:
        return scanning.scan_campaign(scan, campaign)

    job_ = Scan(services.SCAN_CAMPAIGN, campaign.workspace, [campaign], read_creators)
    return _scan(job_, campaign_id)


@background(SCAN_WORKSPACE, TIKTOK)
def scan_workspace(workspace_id: int) -> dict[str, object]:
    """Every scannable campaign of the workspace, each creator read once."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    campaigns = list(scanning.scannable_campaigns(workspace))
    job_ = Scan(SCAN_WORKSPACE, workspace, campaigns, scanning.scan_workspace)
    return _scan(job_, workspace_id)


class ReconcileRemedies(jobs.TikTokJob[dict[str, int]]):
    """Look up what TikTok did with a campaign's remedies now, not at the next scan: after a
    remedy whose answer was lost, and to find the object behind a new campaign code."""

    task_name = remedies.RECONCILE_REMEDIES

    def __init__(self, campaign: Campaign) -> None:
        self.campaign, self.workspace, self.args = campaign, campaign.workspace, (campaign.pk,)

    def work(self, account: TikTokAccount) -> dict[str, int]:
        return reconciliation.reconcile(self.campaign, account)


@background(remedies.RECONCILE_REMEDIES, TIKTOK)
def reconcile_remedies(campaign_id: int) -> dict[str, object]:
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    outcome = jobs.run(ReconcileRemedies(campaign))
    return {**(outcome.result or {}), "error": outcome.error}


@background(SCAN_ALL)
def scan_all() -> int:
    """Enqueue a scan of every connected workspace that has a campaign to scan."""
    connected = TikTokConnection.objects.filter(status=TikTokConnection.Status.CONNECTED)
    workspaces = [
        w
        for w in Workspace.objects.filter(pk__in=connected.values("workspace_id"))
        if scanning.scannable_campaigns(w).exists()
    ]
    for workspace in workspaces:
        enqueue_on_commit(SCAN_WORKSPACE, workspace.pk)
    return len(workspaces)


@background(services.SEND_DIGEST, EMAIL)
def send_digest(digest_id: int) -> int:
    """Email one digest to the workspace's managers; claimed, so it goes once."""
    digest = Digest.objects.select_related("workspace").filter(pk=digest_id, sent_at=None).first()
    if digest is None or not services.claim_digest(digest):
        return 0
    try:
        recipients = emails.send_digest(digest)
    except Exception as exc:  # SMTP down: released, the periodic job tries again
        log.warning("compliance digest %s not sent: %r", digest.pk, exc)
        services.digest_failed(digest, repr(exc))
        return 0
    services.digest_sent(digest, recipients)
    return len(recipients)


@background(SEND_PENDING_DIGESTS)
def send_pending_digests() -> int:
    unsent = Digest.objects.filter(sent_at=None, claimed_at=None)
    pending = list(unsent.values_list("pk", flat=True))
    for digest_id in pending:
        enqueue_on_commit(services.SEND_DIGEST, digest_id)
    return len(pending)


every(SCAN_MINUTES * 60, SCAN_ALL)
every(600, SEND_PENDING_DIGESTS)
