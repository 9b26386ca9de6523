"""Background entry points of the TikTok connection: diagnostics (many calls, so never in a
web request)."""

from inviteflow.accounts.models import Workspace
from inviteflow.core.enqueue import TIKTOK, background, job
from inviteflow.tiktok import doctor
from inviteflow.tiktok.connections import NotConnected

RUN_DOCTOR = job("tiktok.run_doctor")


@background(RUN_DOCTOR, TIKTOK)
def run_doctor(workspace_id: int) -> dict[str, object]:
    """`inviteflow tiktok doctor` for the connection page's "Run diagnostics" button."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    try:
        report = doctor.run(workspace)
    except NotConnected as exc:
        return {"error": str(exc)}
    return {"ok": report.ok, "saved_to": report.saved_to}
