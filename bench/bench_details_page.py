"""The Campaign Details page with a 5,000-creator roster (2 links each): median server time
on SQLite and on PostgreSQL (target < 300 ms), and the query count at two roster sizes
(it must not grow with the roster).

    python bench/bench_details_page.py [--creators 5000] [--postgres URL | --no-postgres]
"""

import argparse
import subprocess
import sys
from datetime import date

from support import ROOT, median_ms, report

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/inviteflow_bench"


def seed(creators: int, name: str):
    """A workspace, a campaign owing 12 posts, `creators` creators with 2 active links each."""
    from inviteflow.accounts.models import Role, User
    from inviteflow.accounts.services import create_workspace, set_member
    from inviteflow.campaigns.models import Campaign, CampaignCreator
    from inviteflow.creators.models import Creator
    from inviteflow.links.models import InviteLink

    workspace = create_workspace(name, name.title())
    user = User.objects.create_user(email=f"{name}@bench.test", password="x" * 12)
    set_member(workspace, user, Role.OWNER)
    campaign = Campaign.objects.create(
        workspace=workspace,
        name="Spring Launch",
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
        posts_required=12,
        tiktok_enabled=True,
    )
    people = Creator.objects.bulk_create(
        [
            Creator(workspace=workspace, name=f"Creator {i:05}", handle=f"{name}_{i}")
            for i in range(creators)
        ],
        batch_size=1000,
    )
    CampaignCreator.objects.bulk_create(
        [CampaignCreator(campaign=campaign, creator=c) for c in people], batch_size=1000
    )
    InviteLink.objects.bulk_create(
        [
            InviteLink(
                workspace=workspace,
                campaign=campaign,
                creator=c,
                sequence=s,
                status="active",
                url=f"https://sandbox.test/t/{c.pk}-{s}/",
                tiktok_campaign_id=str(7_000_000_000_000_000_000 + c.pk * 10 + s),
            )
            for c in people
            for s in (1, 2)
        ],
        batch_size=1000,
    )
    return user, campaign


def measure(creators: int) -> list[tuple[str, object]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rows = []
    for size in (creators // 10, creators):
        user, campaign = seed(size, f"ws{size}")
        client = Client()
        client.force_login(user)
        url = f"/w/ws{size}/campaigns/{campaign.pk}/"
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        rows.append((f"{size:>5} creators: queries", len(queries)))
        median = median_ms(lambda client=client, url=url: client.get(url))
        rows.append((f"{size:>5} creators: median", f"{median:.1f} ms"))
    return rows


def run_one(database_url: str | None, creators: int) -> None:
    from support import setup_django

    setup_django(database_url)
    from django.db import connection

    title = f"Campaign Details page on {connection.vendor} (target < 300 ms, constant queries)"
    report(title, measure(creators))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creators", type=int, default=5000)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.only:
        run_one(args.postgres if args.only == "postgres" else None, args.creators)
        return
    # Each database in its own process: Django is configured once per process.
    script = [sys.executable, __file__, "--creators", str(args.creators)]
    subprocess.run([*script, "--only", "sqlite"], check=True, cwd=ROOT)
    if not args.no_postgres and ensure_database(args.postgres):
        subprocess.run(
            [*script, "--only", "postgres", "--postgres", args.postgres], check=True, cwd=ROOT
        )


def ensure_database(url: str) -> bool:
    """Create the bench database on the PostgreSQL server when missing."""
    import psycopg

    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(
            base.replace("postgres://", "postgresql://") + "/postgres",
            autocommit=True,
            connect_timeout=3,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as exc:
        print(f"\nPostgreSQL skipped: {exc}")
        return False


if __name__ == "__main__":
    main()
