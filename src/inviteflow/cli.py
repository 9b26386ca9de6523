"""The `inviteflow` command: Django's management commands under our name.

inviteflow run | worker | scheduler | sandbox | workspace create … | apikey create … | …
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inviteflow.settings")
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *_translate(sys.argv[1:])]
    execute_from_command_line(argv)


def _translate(args: list[str]) -> list[str]:
    """`workspace create …` → `workspace_create …`: two-word commands read naturally."""
    if len(args) >= 2 and args[0] in {"workspace", "apikey", "tiktok"}:
        return [f"{args[0]}_{args[1]}", *args[2:]]
    return args


if __name__ == "__main__":
    main()
