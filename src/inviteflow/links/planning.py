"""How many invite links each creator should have — pure functions, no database.

A creator owing N posts needs ceil(N / 10) links. A creator who has used every
post of every link and still owes posts (some posts did not count) gets one more.
When fewer posts are owed, surplus links are retired newest first, and only when no
post went through them; a creator taken off the roster has all their links retired.
"""

from dataclasses import dataclass
from math import ceil

from inviteflow.links.models import POSTS_PER_LINK

LIVE = ("pending", "active", "exhausted", "failed")


@dataclass(frozen=True)
class LinkState:
    id: int
    sequence: int
    status: str
    posts_used: int


@dataclass(frozen=True)
class CreatorPlan:
    to_create: list[int]  # sequence numbers of new links
    to_retire: list[int]  # link ids
    to_revive: list[int]  # retired, unused links brought back instead of new ones


def links_target(posts_required: int, posts_counted: int, live: list[LinkState]) -> int:
    base = ceil(posts_required / POSTS_PER_LINK) if posts_required > 0 else 0
    all_used_up = bool(live) and all(link.status == "exhausted" for link in live)
    if posts_required > 0 and all_used_up and posts_counted < posts_required:
        return max(base, len(live) + 1)
    return base


def plan_creator(
    links: list[LinkState], posts_required: int, posts_counted: int = 0
) -> CreatorPlan:
    """What to do with one creator's links so they match `posts_required` (0: off roster)."""
    live = sorted((x for x in links if x.status in LIVE), key=lambda x: x.sequence)
    target = links_target(posts_required, posts_counted, live)
    if posts_required == 0:
        return CreatorPlan([], [x.id for x in live], [])
    if len(live) > target:
        surplus = [x for x in reversed(live) if x.posts_used == 0][: len(live) - target]
        return CreatorPlan([], [x.id for x in surplus], [])
    missing = target - len(live)
    revivable = sorted(
        (x for x in links if x.status == "retired" and x.posts_used == 0), key=lambda x: x.sequence
    )[:missing]
    next_sequence = max((x.sequence for x in links), default=0) + 1
    new = list(range(next_sequence, next_sequence + missing - len(revivable)))
    return CreatorPlan(new, [], [x.id for x in revivable])
