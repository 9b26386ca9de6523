"""A post links to its video on TikTok (`embed_url`) and shows its thumbnail only when the
URL is https on an allowed TikTok CDN host; anything else (the sandbox's loopback URLs, an
unknown host, a non-http link) gets a placeholder, or no link."""

import pytest
from django.urls import reverse

from inviteflow.posts import services
from inviteflow.posts.media import shown_thumbnail, video_link
from inviteflow.posts.models import Post
from inviteflow.tiktok import schemas
from tests.posts.factories import add_link, add_post, campaign_with

CDN = (
    "https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/abc~tplv-resize:360:0.jpeg?x-expires=1"
)
EMBED = "https://www.tiktok.com/embed/v2/7700000000000000001"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (CDN, True),
        ("https://tiktokcdn-us.com/a.jpeg", True),
        ("https://P19-common.TikTokCDN-eu.com/a.jpeg", True),
        ("http://p16-sign-va.tiktokcdn.com/a.jpeg", False),  # not https
        ("https://p16.tiktokcdn.com:8443/a.jpeg", False),
        ("https://tiktokcdn.com.evil.example/a.jpeg", False),
        ("https://eviltiktokcdn.com/a.jpeg", False),
        ("http://127.0.0.1:8001/media/1.svg", False),  # the sandbox's own
        ("", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_https_thumbnails_on_tiktok_cdn_hosts_are_shown(url, shown):
    assert shown_thumbnail(url) == (url if shown else "")


def test_the_allowed_hosts_come_from_settings(settings):
    settings.TIKTOK_THUMBNAIL_HOSTS = ["cdn.example"]
    assert shown_thumbnail("https://img.cdn.example/a.jpeg")
    assert not shown_thumbnail(CDN)


@pytest.mark.parametrize(
    ("url", "link"),
    [(EMBED, True), ("http://127.0.0.1:8001/media/1/embed", True), ("javascript:x", False)],
)
def test_only_http_links_to_the_video(url, link):
    assert video_link(url) == (url if link else "")


@pytest.fixture
def post(workspace):
    campaign = campaign_with(workspace, {"ada": 1})
    return add_post(add_link(campaign, "ada"))


def test_describing_a_post_keeps_its_embed_url_and_newest_thumbnail(workspace, post):
    item = {"video_id": post.video_id, "caption": "#springlaunch", "embed_url": EMBED}
    services.describe(workspace, [schemas.Post(**item, thumbnail_url=CDN)])
    post.refresh_from_db()
    assert (post.embed_url, post.thumbnail_url) == (EMBED, CDN)

    services.describe(workspace, [schemas.Post(video_id=post.video_id, caption="#springlaunch")])
    post.refresh_from_db()
    assert (post.embed_url, post.thumbnail_url) == (EMBED, "")  # an expired thumbnail goes


def posts_page(client, post) -> tuple[str, str]:
    response = client.get(reverse("campaign_posts", args=["acme", post.campaign_id]))
    assert response.status_code == 200
    return response.content.decode(), response["Content-Security-Policy"]


def test_posts_page_shows_a_cdn_thumbnail_and_links_to_the_video(viewer_client, post):
    Post.objects.filter(pk=post.pk).update(embed_url=EMBED, thumbnail_url=CDN)
    page, policy = posts_page(viewer_client, post)
    assert f'<img class="post-thumb" src="{CDN.replace("&", "&amp;")}"' in page
    assert f'<a href="{EMBED}" target="_blank" rel="noopener noreferrer"' in page
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert "https://*.tiktokcdn.com" in img_src and "'self'" in img_src


def test_posts_page_shows_a_placeholder_for_the_sandbox_thumbnail(viewer_client, post):
    sandbox = "http://127.0.0.1:8001/media"
    Post.objects.filter(pk=post.pk).update(
        embed_url=f"{sandbox}/{post.video_id}/embed", thumbnail_url=f"{sandbox}/{post.video_id}.svg"
    )
    page, _ = posts_page(viewer_client, post)
    assert "<img" not in page and 'class="post-thumb placeholder"' in page
    assert f'href="{sandbox}/{post.video_id}/embed" target="_blank"' in page


def test_a_post_not_described_yet_has_a_placeholder_and_no_link(viewer_client, post):
    page, _ = posts_page(viewer_client, post)
    assert 'class="post-thumb placeholder"' in page and 'target="_blank"' not in page
