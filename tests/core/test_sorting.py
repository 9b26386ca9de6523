"""Sortable columns on the creators list, a campaign's roster and its posts: `?sort=field`
and `?sort=-field` from a whitelist, other parameters kept in the header links, aria-sort
on the active header, ties broken by id, and an unknown value falls back to the default."""

import re
from datetime import date

import pytest
from django.urls import reverse

from inviteflow.creators.models import Creator
from tests.posts.factories import add_link, add_post, campaign_with


def handles_in(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>@(\w+)</td>", page)


@pytest.fixture
def creators(workspace):
    for handle, name, email in [
        ("zed", "Ann", "c@example.com"),
        ("amy", "Cy", "a@example.com"),
        ("max", "Bo", "b@example.com"),
        ("bea", "Bo", "d@example.com"),
    ]:
        Creator.objects.create(workspace=workspace, handle=handle, name=name, email=email)


def creators_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("creator_list", args=["acme"]) + (f"?{query}" if query else "")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["zed", "max", "bea", "amy"]),  # default: name, then id
        ("name", ["zed", "max", "bea", "amy"]),
        ("-name", ["amy", "bea", "max", "zed"]),  # ties (Bo) by id, descending
        ("handle", ["amy", "bea", "max", "zed"]),
        ("-email", ["bea", "zed", "max", "amy"]),
        ("notes", ["zed", "max", "bea", "amy"]),  # not sortable: the default order
        ("-id;drop", ["zed", "max", "bea", "amy"]),
    ],
)
def test_creators_list_sorts_by_whitelisted_columns(viewer_client, creators, sort, expected):
    response = viewer_client.get(creators_url(sort=sort))
    assert response.status_code == 200
    assert handles_in(response.content.decode()) == expected


def test_creator_headers_keep_search_and_mark_the_active_column(viewer_client, creators):
    page = viewer_client.get(creators_url(q="example", sort="handle", page=1)).content.decode()
    assert 'aria-sort="ascending"' in page and page.count("aria-sort=") == 1
    assert 'href="/w/acme/creators/?q=example&amp;sort=-handle&amp;page=1"' in page
    assert 'href="/w/acme/creators/?q=example&amp;sort=name&amp;page=1"' in page
    assert '<input type="hidden" name="sort" value="handle">' in page  # search keeps it


def test_creator_search_fragment_is_sorted_too(viewer_client, creators):
    page = viewer_client.get(creators_url(q="Bo", sort="-handle"), headers={"HX-Request": "true"})
    assert handles_in(page.content.decode()) == ["max", "bea"]
    assert 'aria-sort="descending"' in page.content.decode()


@pytest.fixture
def campaign(workspace):
    return campaign_with(workspace, {"cat": 3, "abe": 1, "bob": 5})


def roster_handles(client, campaign, **params) -> list[str]:
    url = reverse("campaign_detail", args=["acme", campaign.pk])
    response = client.get(url, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return re.findall(r'<td data-label="Handle">@(\w+)</td>', response.content.decode())


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["abe", "bob", "cat"]),
        ("-handle", ["cat", "bob", "abe"]),
        ("posts", ["abe", "cat", "bob"]),
        ("-posts", ["bob", "cat", "abe"]),
        ("links", ["abe", "bob", "cat"]),  # unknown: the default order
    ],
)
def test_roster_sorts_by_whitelisted_columns(viewer_client, campaign, sort, expected):
    assert roster_handles(viewer_client, campaign, sort=sort) == expected


def test_roster_sort_uses_the_campaign_default_for_creators_without_override(
    viewer_client, campaign
):
    campaign.roster.filter(creator__handle="bob").update(posts_required_override=None)
    campaign.posts_required = 2  # bob now owes 2
    campaign.save()
    assert roster_handles(viewer_client, campaign, sort="posts") == ["abe", "bob", "cat"]


def test_roster_headers_keep_search_and_filter(viewer_client, campaign):
    url = reverse("campaign_detail", args=["acme", campaign.pk])
    page = viewer_client.get(url, {"q": "b", "links": "no_link", "sort": "-name"}).content.decode()
    assert 'aria-sort="descending"' in page
    assert f'href="{url}?q=b&amp;links=no_link&amp;sort=name"' in page


@pytest.fixture
def posts(campaign):
    cat, abe = add_link(campaign, "cat"), add_link(campaign, "abe")
    add_post(cat, published=date(2025, 5, 2))
    add_post(abe, published=date(2025, 5, 9))
    add_post(cat, published=None)
    add_post(abe, published=date(2025, 5, 5))
    return campaign


def post_rows(client, campaign, **params) -> list[tuple[str, str]]:
    url = reverse("campaign_posts", args=["acme", campaign.pk])
    response = client.get(url, params)
    assert response.status_code == 200
    rows = re.findall(
        r'<td data-label="Published">(.*?)</td>\s*<td data-label="Creator"><a [^>]*>@(\w+)</a>',
        response.content.decode(),
    )
    return [(handle, "?" if "unknown" in when else when.split()[0]) for when, handle in rows]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", [("abe", "9"), ("abe", "5"), ("cat", "2"), ("cat", "?")]),  # newest first
        ("published", [("cat", "2"), ("abe", "5"), ("abe", "9"), ("cat", "?")]),
        ("-published", [("abe", "9"), ("abe", "5"), ("cat", "2"), ("cat", "?")]),
        ("creator", [("abe", "9"), ("abe", "5"), ("cat", "2"), ("cat", "?")]),
        ("-creator", [("cat", "?"), ("cat", "2"), ("abe", "5"), ("abe", "9")]),
        ("video", [("abe", "9"), ("abe", "5"), ("cat", "2"), ("cat", "?")]),  # unknown
    ],
)
def test_posts_sort_by_whitelisted_columns(viewer_client, posts, sort, expected):
    assert post_rows(viewer_client, posts, sort=sort) == expected


def test_posts_headers_keep_the_state_filter(viewer_client, posts):
    url = reverse("campaign_posts", args=["acme", posts.pk])
    page = viewer_client.get(url, {"state": "published", "sort": "creator"}).content.decode()
    assert f'href="{url}?state=published&amp;sort=-creator"' in page
    assert 'aria-sort="ascending"' in page
