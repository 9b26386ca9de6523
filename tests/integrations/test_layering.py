"""Outgoing webhooks sit above the domain apps: those announce changes through
inviteflow.core.events, never by importing inviteflow.integrations (architecture.md, 8)."""

from tests.core.test_structure import DOMAIN_APPS, import_graph

LOWER = (*DOMAIN_APPS, "core", "accounts", "tiktok", "mail", "outbound")


def test_no_lower_module_imports_integrations():
    upward = {
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        if name.partition(".")[2].split(".")[0] in LOWER
        for target in targets
        if target.startswith("inviteflow.integrations")
    }
    assert upward == set()


def test_the_hook_is_connected_once_the_apps_are_ready():
    from inviteflow.core import events
    from inviteflow.integrations import outbox

    assert outbox.emit in events._receivers
