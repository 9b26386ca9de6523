"""Template context: the current workspace, the user's role in it, and the switcher list."""

from django.http import HttpRequest

from inviteflow.accounts.models import Membership


def workspace(request: HttpRequest) -> dict:
    # Only `workspace_view` sets these (as a pair); other pages get no workspace context.
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {}
    memberships = Membership.objects.filter(user_id=request.user.pk or 0).select_related(
        "workspace"
    )
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "can_write": membership.allows("manager"),
        "is_owner": membership.allows("owner"),
        # A client sees only its campaigns: templates hide every way into the rest.
        "is_client": membership.is_client,
        "user_memberships": memberships.order_by("workspace__name"),
    }
