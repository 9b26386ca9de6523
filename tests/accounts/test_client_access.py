"""The client role: a read-only member limited to the campaigns named on its membership.

Every URL pattern of the workspace is tried, as for the outsider: a client gets 404 on all
of them except its named campaigns' details, posts, compliance and report pages (and the
fragments those pages load), where GET answers and every POST is a 404. The same pages of a
campaign not named for it are 404s, and the API does not take its session."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from inviteflow.accounts import services
from inviteflow.accounts.models import ApiKey, Invitation, Membership, Role
from inviteflow.insights.services import record_campaign_totals
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from tests.conftest import logged_in, make_user
from tests.insights.support import campaign_with_posts, report_everything

# The pages a client may open for a named campaign (URL names), with their fragments.
CLIENT_PAGES = {
    "overview",  # sends the client to its campaigns
    "campaign_detail",
    "link_provisioning",  # the details page's invite-link panel (hx-get)
    "link_qr",  # the QR images of the roster's links
    "campaign_progress",  # the details page's Posts section (hx-get)
    "campaign_posts",
    "compliance_campaign",
    "compliance_summary",  # the details page's Compliance section (hx-get)
    "campaign_report",
    "campaign_report_csv",
    "campaign_report_xlsx",
    "post_insights",  # a post of the report
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name


def _routes(under: str) -> list[tuple[str, str]]:
    found = [(route, name) for route, name in _walk(get_resolver().url_patterns)]
    return sorted((route, name or route) for route, name in found if route.startswith(under))


WORKSPACE_ROUTES = _routes("w/<slug:slug>/")
API_ROUTES = _routes("api/v1/")


def test_the_walk_finds_every_workspace_page():
    names = {name for _, name in WORKSPACE_ROUTES}
    assert CLIENT_PAGES <= names
    assert {"creator_list", "workspace_settings", "outbox", "campaign_list"} <= names
    assert len(WORKSPACE_ROUTES) > 60 and len(API_ROUTES) > 10


@pytest.fixture
def client_setup(actors):
    """Acme's campaign "Named" shared with a client, and "Hidden", not shared."""
    named = campaign_with_posts(actors.workspace, {"ada": 2, "bob": 1}, name="Named")
    hidden = campaign_with_posts(actors.workspace, {"cy": 1}, name="Hidden")
    report_everything(named)
    record_campaign_totals(named, ["US"])
    user = make_user("client@brand.test")
    services.set_member(actors.workspace, user, Role.CLIENT, campaigns=[named])
    return named, hidden, logged_in(user)


def _ids(campaign) -> dict[str, str]:
    post = Post.objects.filter(campaign=campaign).order_by("pk").first()
    link = InviteLink.objects.filter(campaign=campaign).order_by("pk").first()
    assert post is not None and link is not None
    # Every other id: the campaign's post (real objects, so only access can refuse).
    return {"slug": "acme", "campaign_id": str(campaign.pk), "post_id": str(post.pk),
            "link_id": str(link.pk), "creator_id": str(post.creator_id)}  # fmt: skip


def _url(route: str, ids: dict[str, str]) -> str:
    return "/" + PARAM.sub(lambda m: ids.get(m.group(2), "1"), route)


def _refused(response, owner_response) -> bool:
    """404 — or 405 when the method itself is not served (decided before anyone is looked
    up: the owner gets it too)."""
    if response.status_code == 405:
        return owner_response.status_code == 405
    return response.status_code == 404


@pytest.mark.parametrize(
    "route,name", [r for r in WORKSPACE_ROUTES if r[1] not in CLIENT_PAGES], ids=lambda v: v
)
def test_a_client_gets_404_everywhere_else(client_setup, owner_client, route, name):
    named, _, client = client_setup
    url = _url(route, _ids(named))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert _refused(response, getattr(owner_client, method)(url)), (method, url)


@pytest.mark.parametrize("route,name", [r for r in WORKSPACE_ROUTES if r[1] in CLIENT_PAGES])
def test_a_client_reads_its_campaign_pages_and_changes_nothing(
    client_setup, owner_client, route, name
):
    named, _, client = client_setup
    url = _url(route, _ids(named))
    response = client.get(url)
    if name == "overview":  # one campaign: straight into it
        assert response.status_code == 302
        assert response["Location"] == f"/w/acme/campaigns/{named.pk}/"
    else:
        assert response.status_code == 200, url
    assert _refused(client.post(url), owner_client.post(url)), url


@pytest.mark.parametrize(
    "route,name", [r for r in WORKSPACE_ROUTES if r[1] in CLIENT_PAGES - {"overview"}]
)
def test_the_same_pages_of_another_campaign_are_404(client_setup, route, name):
    _, hidden, client = client_setup
    url = _url(route, _ids(hidden))
    assert client.get(url).status_code == 404, url
    assert client.post(url).status_code == 404, url


@pytest.mark.parametrize(
    "query",
    ["", "?q=ada", "?links=failed"],
)
def test_the_roster_fragment_of_the_details_page(client_setup, query):
    named, hidden, client = client_setup
    headers = {"HX-Request": "true"}
    response = client.get(f"/w/acme/campaigns/{named.pk}/{query}", headers=headers)
    assert response.status_code == 200 and 'id="roster"' in response.content.decode()
    assert client.get(f"/w/acme/campaigns/{hidden.pk}/{query}", headers=headers).status_code == 404


@pytest.mark.parametrize("part", ["posts", "creators", "sync"])
def test_the_report_parts(client_setup, part):
    named, hidden, client = client_setup
    headers = {"HX-Request": "true"}
    url = "/w/acme/insights/campaigns/{}/?part=" + part
    assert client.get(url.format(named.pk), headers=headers).status_code == 200
    assert client.get(url.format(hidden.pk), headers=headers).status_code == 404


def test_the_pages_show_no_way_into_the_rest_of_the_workspace(client_setup):
    named, hidden, client = client_setup
    pages = [
        f"/w/acme/campaigns/{named.pk}/",
        f"/w/acme/posts/campaigns/{named.pk}/",
        f"/w/acme/posts/campaigns/{named.pk}/progress/",
        f"/w/acme/compliance/campaigns/{named.pk}/",
        f"/w/acme/compliance/campaigns/{named.pk}/summary/",
        f"/w/acme/insights/campaigns/{named.pk}/",
    ]
    for page in pages:
        html = client.get(page).content.decode()
        for closed in ("/creators/", "/settings/", "/outreach/", 'href="/w/acme/campaigns/"'):
            assert closed not in html, (page, closed)
        assert f"/campaigns/{hidden.pk}/" not in html and "Hidden" not in html
        forms = html.count('method="post"')
        assert forms == (1 if "<html" in html else 0), page  # the Log out button only
    detail = client.get(pages[0]).content.decode()
    assert "Your campaigns" in detail and "Edit campaign" not in detail


def test_several_campaigns_are_listed_on_the_overview(actors, client_setup):
    named, hidden, client = client_setup
    other = campaign_with_posts(actors.workspace, {"dee": 1}, name="Second")
    membership = Membership.objects.get(user__email="client@brand.test")
    membership.client_campaigns.add(other)
    html = client.get("/w/acme/").content.decode()
    assert "Named" in html and "Second" in html and "Hidden" not in html
    assert f"/w/acme/campaigns/{named.pk}/" in html and f"/w/acme/campaigns/{other.pk}/" in html


def test_a_client_without_campaigns_sees_none(actors):
    user = make_user("empty@brand.test")
    services.set_member(actors.workspace, user, Role.CLIENT)
    response = logged_in(user).get("/w/acme/")
    assert (
        response.status_code == 200 and "No campaign has been shared" in response.content.decode()
    )


def test_api_endpoints_refuse_a_client_session(client_setup):
    named, _, client = client_setup
    ids = _ids(named)
    for route, name in API_ROUTES:
        if name in ("openapi-json", "openapi-view"):
            continue  # the public API description, no workspace data
        url = _url(route, ids)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (401, 404, 405), (method, url, status)
    assert client.get("/api/v1/campaigns").status_code == 401


def test_an_owner_invites_a_client_for_named_campaigns(actors, owner_client):
    named = campaign_with_posts(actors.workspace, {"ada": 1}, name="Named")
    foreign = campaign_with_posts(actors.other_workspace, {"zed": 1}, name="Foreign")
    form = {"email": "Client@Brand.test", "role": "client"}
    # A client needs campaigns, of this workspace only; other roles take none.
    assert (
        "choose at least one campaign"
        in owner_client.post("/w/acme/settings/invite/", form).content.decode()
    )
    bad = owner_client.post("/w/acme/settings/invite/", {**form, "campaigns": [foreign.pk]})
    assert bad.status_code == 200 and not Invitation.objects.exists()
    viewer = {"email": "v@brand.test", "role": "viewer", "campaigns": [named.pk]}
    assert "only a client" in owner_client.post("/w/acme/settings/invite/", viewer).content.decode()
    response = owner_client.post("/w/acme/settings/invite/", {**form, "campaigns": [named.pk]})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.role == Role.CLIENT and list(invitation.client_campaigns.all()) == [named]
    settings_html = owner_client.get("/w/acme/settings/").content.decode()
    assert "client@brand.test" in settings_html and "Named" in settings_html

    url = settings_html.split('id="invite-url">')[1].split("<")[0]  # shown once
    user = make_user("client@brand.test")
    accepted = logged_in(user).post(url.split("testserver")[-1])
    assert accepted.status_code == 302 and accepted["Location"] == "/w/acme/"
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.CLIENT and list(membership.client_campaigns.all()) == [named]


def test_a_client_cannot_be_given_another_workspaces_campaign(actors):
    foreign = campaign_with_posts(actors.other_workspace, {"zed": 1}, name="Foreign")
    with pytest.raises(Exception, match="another workspace"):
        services.set_member(
            actors.workspace, make_user("c@b.test"), Role.CLIENT, campaigns=[foreign]
        )


def test_a_client_cannot_create_an_api_key(client_setup):
    _, _, client = client_setup
    response = client.post("/w/acme/settings/api-keys/", {"name": "mine"})
    assert response.status_code == 404
    assert not ApiKey.objects.exists()
