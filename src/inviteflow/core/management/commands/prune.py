"""`inviteflow prune`: what each retention rule removed, with rows and bytes per table."""

from django.core.management.base import BaseCommand

from inviteflow.core import retention


class Command(BaseCommand):
    help = (
        "Prune data past its retention (processed webhook bodies, old security log, expired "
        "sessions and login failures, finished task results); prints rows and bytes per table."
    )

    def handle(self, *args, **options):
        lines = [f"{'what':<34} {'table':<36} {'changed':>8}  rows before → after  bytes"]
        for pruned in retention.prune_all():
            lines.append(describe(pruned))
        self.stdout.write("\n".join(lines))


def describe(pruned: retention.Pruned) -> str:
    rows = f"{pruned.before.rows:>7} → {pruned.after.rows:<7}"
    return (
        f"{pruned.name:<34} {pruned.table:<36} {pruned.changed:>8}  {rows}  "
        f"{_size(pruned.before.bytes)} → {_size(pruned.after.bytes)}"
    )


def _size(found: int | None) -> str:
    if found is None:
        return "?"
    return f"{found / 1024:.0f} KiB" if found >= 1024 else f"{found} B"
