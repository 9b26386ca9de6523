"""Request sizes: settings at or under TikTok's documented bounds, and adaptation when TikTok
refuses one (tiktok.sizes): halved, retried once, remembered for every process through the
database, shown on the connection page. A 40002 that is not about a size still raises."""

import logging
from collections.abc import Iterator

import httpx
import pytest

from inviteflow.tiktok import sizes
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.errors import InvalidParams, TikTokError
from inviteflow.tiktok.models import LearnedLimit
from inviteflow.tiktok.sizes import (
    CAMPAIGNS,
    LIMIT,
    PAGE_SIZE,
    REPORT,
    VIDEO_IDS,
    VIDEO_LIST,
    Refusal,
    SharedSizes,
    refusal,
)
from tiktok_sandbox.app import SandboxApp, create_app
from tiktok_sandbox.config import SandboxConfig

from .conftest import FakeTikTok, fail, make_client, ok

FAST = {"clock_start": "2026-05-01T00:00:00Z", "qps": 100_000, "qpm": 1_000_000}
HANDLE = "jane.doe"


class Recording(httpx.BaseTransport):
    """The sandbox's WSGI transport, keeping every request the client sent."""

    def __init__(self, app: SandboxApp) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)


class Sandbox:
    """The TikTok sandbox with bounds lower than inviteflow's configured sizes."""

    def __init__(self, **knobs) -> None:
        self.app = create_app(config=SandboxConfig(**{**FAST, **knobs}))
        self.wire = Recording(self.app)
        self.control = httpx.Client(
            transport=httpx.WSGITransport(app=self.app), base_url="http://x"
        )
        self.creds = self.control.get("/sandbox/credentials").json()
        self.account = self.creds["tto_tcm_account_id"]

    def client(self, **options) -> TikTokClient:
        options.setdefault("sleep", lambda seconds: None)
        creds = self.creds
        return TikTokClient(
            "http://sandbox",
            creds["app_id"],
            creds["secret"],
            creds["access_token"],
            transport=self.wire,
            **options,
        )

    def publish(self, count: int, **body) -> list[str]:
        found = []
        for _ in range(count):
            answer = self.control.post("/sandbox/publish", json={"handle": HANDLE, **body})
            answer.raise_for_status()
            found.append(answer.json()["video_id"])
        return found

    def sent(self, endpoint: str, parameter: str) -> list[str | None]:
        """The value of `parameter` in each request to `endpoint`, in order."""
        return [
            r.url.params.get(parameter) for r in self.wire.requests if r.url.path.endswith(endpoint)
        ]


@pytest.fixture
def shared_cache() -> Iterator[None]:
    """Tests that learn through from_settings' book leave no size behind for other tests."""
    sizes.shared().forget()
    yield
    sizes.shared().forget()


# The rule --------------------------------------------------------------------------------------


def error(code: int, message: str) -> TikTokError:
    return InvalidParams(code, message)


@pytest.mark.parametrize(
    "code, message, sent, expected",
    [
        (40002, "page_size: must be between 1 and 10", {"page_size": 20}, ("page_size", 20)),
        (40002, "Limit must be less than or equal to 10.", {"limit": 20, "video_ids": 3}, ("limit", 20)),
        (40011, "Too many IDs", {"page_size": 5, "campaign_ids": 8}, ("campaign_ids", 8)),
        (40011, "video_ids: must contain at most 4 ids", {"limit": 10, "video_ids": 9}, ("video_ids", 9)),
        (40002, "video_ids exceeds the limit", {"limit": 10, "video_ids": 9}, ("video_ids", 9)),
    ],
)  # fmt: skip
def test_a_refusal_that_points_at_a_size(code, message, sent, expected):
    assert refusal(error(code, message), sent) == Refusal(*expected)


@pytest.mark.parametrize(
    "code, message, sent",
    [
        (40002, "handle_name: 'x' is not a valid TikTok user", {"limit": 10}),  # names no size
        (40002, "campaign_ids: must be a JSON list of strings", {"campaign_ids": 5}),  # an id
        (40002, "page_size: must be between 1 and 0", {"page_size": 1}),  # nothing below 1
        (40011, "Too many IDs", {"page_size": 5}),  # no id filter was sent
        (40011, "Too many IDs", {"campaign_ids": 3, "video_ids": 4}),  # which one?
        (40001, "page_size: no permission", {"page_size": 10}),  # not a parameter error
    ],
)
def test_a_refusal_that_does_not(code, message, sent):
    assert refusal(error(code, message), sent) is None


def test_half_of_a_size_is_never_below_one():
    assert [Refusal("limit", n).smaller for n in (10, 5, 3, 2)] == [5, 2, 1, 1]


# Defaults ----------------------------------------------------------------------------------------


def test_defaults_stay_under_the_documented_bounds():
    assert sizes.configured(VIDEO_LIST, LIMIT) == 10  # documented 1-10
    assert sizes.configured(CAMPAIGNS, PAGE_SIZE) == 5  # at most 5
    assert sizes.configured(REPORT, PAGE_SIZE) == 10
    assert sizes.configured(sizes.LINK_STATUS, PAGE_SIZE) == 10
    assert sizes.configured(sizes.ORDERS, PAGE_SIZE) == 10  # documented 1-20
    assert sizes.configured(VIDEO_LIST, VIDEO_IDS) == sizes.configured(CAMPAIGNS, "campaign_ids")


def test_every_list_call_sends_its_size_and_ids_are_split(settings):
    settings.TIKTOK_IDS_PER_CALL = 2
    fake = FakeTikTok(ok({"campaigns": [], "page_info": {"total_page": 1}}))
    list(make_client(fake).campaigns("acct", campaign_ids=["1", "2", "3", "4", "5"]))
    assert [r.url.params["campaign_ids"] for r in fake.requests] == [
        '["1","2"]',
        '["3","4"]',
        '["5"]',
    ]
    assert {r.url.params["page_size"] for r in fake.requests} == {"5"}


@pytest.mark.parametrize("value", ["0", "-3", "six"])
def test_a_size_setting_must_be_a_positive_integer(monkeypatch, value):
    from inviteflow import settings as module
    from inviteflow.env import ConfigError

    monkeypatch.setenv("TIKTOK_REPORT_PAGE_SIZE", value)
    with pytest.raises(ConfigError, match="TIKTOK_REPORT_PAGE_SIZE"):
        module._request_size("TIKTOK_REPORT_PAGE_SIZE", 10)


def test_the_campaign_page_size_setting_cannot_exceed_five(monkeypatch):
    from inviteflow import settings as module
    from inviteflow.env import ConfigError

    monkeypatch.setenv("TIKTOK_CAMPAIGN_PAGE_SIZE", "6")
    with pytest.raises(ConfigError, match="1 to 5"):
        module._request_size("TIKTOK_CAMPAIGN_PAGE_SIZE", 5, most=5)


def test_retired_size_settings_stop_start_up(monkeypatch):
    from inviteflow import settings as module
    from inviteflow.env import ConfigError

    monkeypatch.setenv("COMPLIANCE_SCAN_PAGE_SIZE", "20")
    with pytest.raises(ConfigError, match="TIKTOK_VIDEO_LIST_LIMIT"):
        module._retired("COMPLIANCE_SCAN_PAGE_SIZE", "TIKTOK_VIDEO_LIST_LIMIT")


# Against the sandbox -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_limit_is_halved_retried_once_and_remembered(caplog):
    sandbox = Sandbox(max_video_list_limit=5)
    published = sandbox.publish(12)
    with caplog.at_level(logging.WARNING, logger="inviteflow.tiktok.client"):
        with sandbox.client(sizes=SharedSizes()) as client:
            listed = [p.video_id for p in client.creator_videos(sandbox.account, HANDLE)]
    assert sorted(listed) == sorted(published)
    assert sandbox.sent(VIDEO_LIST, "limit") == ["10", "5", "5", "5"]  # one refusal, one retry
    learned = LearnedLimit.objects.get()
    assert (learned.endpoint, learned.parameter) == (VIDEO_LIST, LIMIT)
    assert (learned.size, learned.refused, learned.confirmed) == (5, 10, True)
    assert learned.message == "limit: must be between 1 and 5"
    [record] = [r for r in caplog.records if "refused" in r.getMessage()]
    warning = record.getMessage()
    assert record.levelno == logging.WARNING
    assert VIDEO_LIST in warning and "limit 10 → 5" in warning
    assert "must be between 1 and 5" in warning


@pytest.mark.django_db
def test_a_learned_size_is_shared_by_every_client_through_the_database():
    sandbox = Sandbox(max_video_list_limit=5)
    sandbox.publish(3)
    with sandbox.client(sizes=SharedSizes()) as first:
        first.creator_videos_page(sandbox.account, HANDLE)
    another_process = SharedSizes()  # its own cache: what it knows comes from the database
    with sandbox.client(sizes=another_process) as second:
        second.creator_videos_page(sandbox.account, HANDLE)
    assert sandbox.sent(VIDEO_LIST, "limit") == ["10", "5", "5"]  # the second never sent 10


@pytest.mark.django_db
def test_the_cache_sees_another_processs_size_after_its_ttl():
    clock = [0.0]
    book = SharedSizes(ttl=30, clock=lambda: clock[0])
    assert book.current(REPORT, PAGE_SIZE) == 10
    sizes.remember(REPORT, PAGE_SIZE, 4, 8, "page_size: must be between 1 and 4")
    assert book.current(REPORT, PAGE_SIZE) == 10  # cached: no query on every call
    clock[0] = 30.0
    assert book.current(REPORT, PAGE_SIZE) == 4


@pytest.mark.django_db
def test_a_size_only_ever_goes_down_and_the_setting_still_caps_it(settings):
    sizes.remember(REPORT, PAGE_SIZE, 4, 8, "first")
    sizes.remember(REPORT, PAGE_SIZE, 7, 14, "stale process")
    assert LearnedLimit.objects.get().size == 4
    settings.TIKTOK_REPORT_PAGE_SIZE = 3
    assert SharedSizes().current(REPORT, PAGE_SIZE) == 3


@pytest.mark.django_db
def test_too_many_ids_are_split_into_calls_of_the_size_that_worked():
    sandbox = Sandbox(max_ids_per_filter=4)
    published = sandbox.publish(9)
    with sandbox.client(sizes=SharedSizes()) as client:
        found = list(client.creator_videos(sandbox.account, HANDLE, video_ids=published))
    assert sorted(p.video_id for p in found) == sorted(published)
    counts = [len(ids.split(",")) for ids in sandbox.sent(VIDEO_LIST, "video_ids") if ids]
    assert counts == [9, 4, 4, 1]  # 40011 for 9, retried with 4, then the rest by 4
    learned = LearnedLimit.objects.get()
    assert (learned.parameter, learned.size, learned.refused) == (VIDEO_IDS, 4, 9)


@pytest.mark.django_db
def test_a_refused_report_page_size_reads_every_video_once(settings):
    settings.TIKTOK_REPORT_PAGE_SIZE = 6
    sandbox = Sandbox(max_report_page_size=3)
    with sandbox.client(sizes=SharedSizes()) as client:
        campaign = client.create_campaign(sandbox.account, "Spring", [HANDLE])
        videos = sandbox.publish(7, invite_link=campaign.invite_link)
        sandbox.control.post("/sandbox/clock", json={"advance_hours": 72}).raise_for_status()
        report = list(client.report(sandbox.account, campaign.campaign_id, "US"))
    assert sorted(v.id for v in report) == sorted(videos)
    assert sandbox.sent(REPORT, "page_size") == ["6", "3", "3", "3"]
    assert sandbox.sent(REPORT, "page") == ["1", "1", "2", "3"]
    assert LearnedLimit.objects.get().size == 3


@pytest.mark.django_db
def test_a_40002_that_is_not_about_a_size_still_raises():
    sandbox = Sandbox(max_video_list_limit=5)
    with sandbox.client(sizes=SharedSizes()) as client:
        with pytest.raises(InvalidParams, match="not a valid TikTok user"):
            list(client.creator_videos(sandbox.account, "invalid_nobody"))
    assert len(sandbox.wire.requests) == 1  # not retried
    assert not LearnedLimit.objects.exists()


@pytest.mark.django_db
def test_a_refusal_of_the_retry_is_raised_and_the_next_call_starts_lower():
    sandbox = Sandbox(max_video_list_limit=2)
    sandbox.publish(3)
    book = SharedSizes()
    with sandbox.client(sizes=book) as client:
        with pytest.raises(InvalidParams, match="between 1 and 2"):
            client.creator_videos_page(sandbox.account, HANDLE)
        client.creator_videos_page(sandbox.account, HANDLE)
    assert sandbox.sent(VIDEO_LIST, "limit") == ["10", "5", "2"]  # retried once only
    learned = LearnedLimit.objects.get()
    assert (learned.size, learned.refused, learned.confirmed) == (2, 5, False)


# At the network edge -----------------------------------------------------------------------------


def page_size_refused(most: int) -> FakeTikTok:
    """TikTok with a report page size bound of `most` (and one video a page)."""

    class Bounded(FakeTikTok):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            if int(request.url.params["page_size"]) > most:
                body = fail(40002, f"page_size: must be between 1 and {most}")
            else:
                page = int(request.url.params["page"])
                info = {"page": page, "page_size": most, "total_page": 2}
                body = ok({"videos": [{"video_info": {"video_id": str(page)}}], "page_info": info})
            return httpx.Response(200, json=body)

    return Bounded()


def test_a_client_for_a_web_request_learns_but_does_not_retry():
    fake = page_size_refused(5)
    client = make_client(fake, max_retries=0)
    with pytest.raises(InvalidParams):
        client.report_page("acct", "1", "US")
    assert len(fake.requests) == 1
    client.report_page("acct", "1", "US")  # this client remembers
    assert [r.url.params["page_size"] for r in fake.requests] == ["10", "5"]


def test_an_explicit_size_above_the_current_one_teaches_nothing():
    fake = page_size_refused(5)
    client = make_client(fake, max_retries=0)
    with pytest.raises(InvalidParams):
        client.report_page("acct", "1", "US", page_size=20)  # a probe (the doctor's)
    assert client.sizes.current(REPORT, PAGE_SIZE) == 10


def test_a_size_of_one_is_never_lowered(settings):
    settings.TIKTOK_VIDEO_LIST_LIMIT = 1
    fake = FakeTikTok(fail(40002, "limit: must be between 1 and 0"))
    with pytest.raises(InvalidParams):
        make_client(fake).creator_videos_page("acct", HANDLE)
    assert len(fake.requests) == 1


def test_page_two_is_not_retried_smaller():
    fake = page_size_refused(5)
    with pytest.raises(InvalidParams):
        make_client(fake).report_page("acct", "1", "US", page=2, page_size=10)
    assert len(fake.requests) == 1  # a smaller page 2 would be other videos


def test_a_size_halved_half_way_reads_on_from_the_same_place(settings):
    """The bound drops after page 1 (another process may learn it meanwhile)."""
    settings.TIKTOK_REPORT_PAGE_SIZE = 4

    class Shrinking(FakeTikTok):
        """Seven videos; after the first page, at most 2 a page."""

        def __call__(self, request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
            if len(self.requests) > 1 and size > 2:
                return httpx.Response(200, json=fail(40002, "page_size: must be between 1 and 2"))
            videos = [{"video_info": {"video_id": str(n)}} for n in range(7)]
            info = {"page": page, "page_size": size, "total_page": -(-7 // size)}
            data = {"videos": videos[(page - 1) * size : page * size], "page_info": info}
            return httpx.Response(200, json=ok(data))

    fake = Shrinking()
    ids = [v.video_info.video_id for v in make_client(fake).report("acct", "1", "US")]
    assert ids == [str(n) for n in range(7)]  # nothing skipped, nothing twice
    sent = [(r.url.params["page"], r.url.params["page_size"]) for r in fake.requests]
    assert sent == [("1", "4"), ("2", "4"), ("3", "2"), ("4", "2")]


# Shown on the connection page --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_connection_page_shows_what_tiktok_taught(owner_client, workspace, shared_cache):
    sizes.remember(VIDEO_LIST, LIMIT, 5, 10, "limit: must be between 1 and 5")
    LearnedLimit.objects.update(confirmed=True)
    sizes.remember(REPORT, PAGE_SIZE, 2, 5, "page_size: must be between 1 and 2")
    page = owner_client.get(f"/w/{workspace.slug}/settings/tiktok/").content.decode()
    assert (
        "TikTok accepted at most <strong>5</strong> for <code>limit</code> on "
        f"<code>{VIDEO_LIST}</code> (learned "
    ) in page
    assert "must be between 1 and 5" in page
    assert (
        f"TikTok refused 5 for <code>page_size</code> on <code>{REPORT}</code>; "
        "the next calls ask for <strong>2</strong>"
    ) in page
