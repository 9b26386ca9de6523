from inviteflow.links.planning import LinkState, plan_creator


def link(id, sequence, status="active", used=0):
    return LinkState(id=id, sequence=sequence, status=status, posts_used=used)


def test_posts_required_decides_number_of_links():
    assert plan_creator([], 12).to_create == [1, 2]
    assert plan_creator([], 10).to_create == [1]
    assert plan_creator([], 1).to_create == [1]
    assert plan_creator([], 100).to_create == list(range(1, 11))


def test_raising_posts_required_adds_links_after_existing_ones():
    assert plan_creator([link(1, 1), link(2, 2)], 25).to_create == [3]


def test_lowering_retires_the_newest_unused_links():
    plan = plan_creator([link(1, 1, used=3), link(2, 2), link(3, 3)], 5)
    assert plan.to_retire == [3, 2] and plan.to_create == []


def test_links_with_posts_are_kept_when_fewer_posts_are_owed():
    plan = plan_creator([link(1, 1, used=3), link(2, 2, used=1)], 1)
    assert plan.to_retire == []


def test_creator_off_the_roster_has_every_link_retired():
    plan = plan_creator([link(1, 1, used=3), link(2, 2), link(3, 3, "retired")], 0)
    assert sorted(plan.to_retire) == [1, 2]


def test_creator_who_used_everything_and_still_owes_gets_another_link():
    plan = plan_creator([link(1, 1, "exhausted", 10)], 10, posts_counted=8)
    assert plan.to_create == [2]


def test_creator_who_delivered_gets_nothing_more():
    assert plan_creator([link(1, 1, "exhausted", 10)], 10, posts_counted=10).to_create == []


def test_retired_unused_link_is_revived_before_creating_a_new_one():
    plan = plan_creator([link(7, 1, "retired")], 3)
    assert plan.to_revive == [7] and plan.to_create == []


def test_sequence_continues_after_retired_links():
    plan = plan_creator([link(7, 1, "retired", used=2)], 3)
    assert plan.to_create == [2]
