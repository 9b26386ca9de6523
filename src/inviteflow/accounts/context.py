"""Template context: the current workspace, the user's role in it, and the switcher list."""

from django.http import HttpRequest

from inviteflow.accounts.models import Membership


def workspace(request: HttpRequest) -> dict:
    current = getattr(request, "workspace", None)
    if current is None:
        return {}
    memberships = Membership.objects.filter(user_id=request.user.pk or 0).select_related(
        "workspace"
    )
    membership = request.membership  # type: ignore[attr-defined]
    return {
        "workspace": current,
        "membership": membership,
        "can_write": membership.allows("manager"),
        "is_owner": membership.allows("owner"),
        "user_memberships": memberships.order_by("workspace__name"),
    }
