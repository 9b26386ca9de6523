"""Property-based tests of the parsing layer (tiktok.schemas) with Hypothesis.

Report, campaign and post answers are generated with loose numbers (int, float, numeric
string, fraction, null, missing, not a number), loose ids (int or string) and malformed list
items mixed with good ones. Each generator also builds what the parsed model must hold, from
an independent oracle (fractions.Fraction for rounding), and whether the answer is hopeless
(a malformed item where absence means something, a structural number that is not one).

Properties: parsing raises nothing but pydantic's ValidationError (client.parse turns it into
UnexpectedResponse), raises it exactly for hopeless answers, and otherwise keeps every
well-formed value, with the right value, in order.

Runs are derandomized (a fixed sequence of examples, the same on every machine) and keep no
example database, so CI is deterministic; the example counts keep the file to a few seconds.
"""

import json
import logging
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from inviteflow.tiktok import schemas

PROPERTIES = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MISSING = object()  # the key is not sent at all


@pytest.fixture(autouse=True, scope="module")
def _quiet_schema_warnings():
    """Dropped items are logged by design; thousands of examples need not print them."""
    logger = logging.getLogger("inviteflow.tiktok.schemas")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def half_up(text: str) -> int:
    """The oracle of the rounding rule: nearest integer, halves away from zero."""
    exact = Fraction(text)
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude


# -- Loose values: (what goes on the wire, what the model must hold) -------------------------

NOT_NUMBERS = st.sampled_from(
    ["n/a", "-", "1,234", "12abc", "NaN", "Infinity", "-inf", True, False, [1], {"v": 1}]
)
WHOLE = st.integers(min_value=0, max_value=10**15)  # exact as a float too (< 2^53)
DIGITS = st.sampled_from(["0", "5", "25", "4", "49", "50", "51", "75", "999"])
FRACTIONAL = st.tuples(st.integers(min_value=0, max_value=10**6), DIGITS).map(
    lambda parts: f"{parts[0]}.{parts[1]}"
)
ABSENT = st.sampled_from([(MISSING, None), (None, None), ("", None)])

COUNT_SENT = st.one_of(
    WHOLE.map(lambda n: (n, n)),
    WHOLE.map(lambda n: (float(n), n)),
    WHOLE.map(lambda n: (str(n), n)),
    FRACTIONAL.map(lambda text: (text, half_up(text))),
    FRACTIONAL.map(lambda text: (float(text), half_up(text))),
)
COUNT = st.one_of(ABSENT, COUNT_SENT, NOT_NUMBERS.map(lambda junk: (junk, None)))

FLOAT = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
RATE_SENT = st.one_of(
    FLOAT.map(lambda f: (f, f)),
    FLOAT.map(lambda f: (repr(f), f)),
    st.integers(min_value=0, max_value=10**6).map(lambda n: (n, float(n))),
    st.integers(min_value=0, max_value=10**6).map(lambda n: (str(n), float(n))),
)
RATE = st.one_of(ABSENT, RATE_SENT, NOT_NUMBERS.map(lambda junk: (junk, None)))

BIG_ID = st.integers(min_value=0, max_value=2**63 - 1)
ID = st.one_of(BIG_ID.map(lambda n: (n, str(n))), BIG_ID.map(lambda n: (str(n), str(n))))
TEXT = st.text(min_size=1, max_size=12).filter(lambda text: text.strip() != "")

# Structural numbers (page info, cursor): loose, but a non-number fails the answer.
WHOLE_OR_HOPELESS = st.one_of(
    COUNT_SENT.map(lambda sent: (*sent, False)),
    NOT_NUMBERS.map(lambda junk: (junk, None, True)),
)


def put(payload: dict[str, Any], key: str, wire: Any) -> None:
    if wire is not MISSING:
        payload[key] = wire


def metrics(draw: st.DrawFn, names: list[str], kind: Any) -> tuple[dict, dict]:
    """Some of `names` with loose values: the wire dict and the values expected."""
    wire: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=6)):
        sent, value = draw(kind)
        put(wire, name, sent)
        expected[name] = value
    return wire, expected


def field_names(model: type[schemas.Model], annotation: Any) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.annotation == annotation]


REPORT_COUNTS = field_names(schemas.VideoMetrics, int | None)
REPORT_RATES = field_names(schemas.VideoMetrics, float | None)
DAILY_COUNTS = field_names(schemas.DailyStat, int | None)
DAILY_RATES = field_names(schemas.DailyStat, float | None)
POST_COUNTS = field_names(schemas.Post, int | None)
assert all((REPORT_COUNTS, REPORT_RATES, DAILY_COUNTS, DAILY_RATES, POST_COUNTS))


@st.composite
def page_info(draw: st.DrawFn) -> tuple[dict, dict, bool]:
    """Loose page numbers; now and then one that is no number, which fails the answer."""
    wire: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(list(schemas.PageInfo.model_fields)), unique=True)):
        wire[name], expected[name] = draw(COUNT_SENT)
    hopeless = bool(wire) and draw(st.integers(0, 7)) == 0
    if hopeless:  # pagination cannot guess a page count
        wire[draw(st.sampled_from(sorted(wire)))] = draw(NOT_NUMBERS)
    return wire, expected, hopeless


def mixed(draw: st.DrawFn, good: st.SearchStrategy, bad: st.SearchStrategy) -> tuple[list, list]:
    """Good and malformed items in a random order: the wire list, and the good items' values."""
    either = st.one_of(good.map(lambda g: (True, g)), bad.map(lambda b: (False, b)))
    items = draw(st.lists(either, max_size=5))
    return [wire for _, (wire, _) in items], [value for ok, (_, value) in items if ok]


# -- Report (§7.3) ---------------------------------------------------------------------------

DIMENSIONS = {
    "audience_genders_distribution": "gender",
    "audience_age_distribution": "age",
    "audience_countries_distribution": "country",
    "audience_device_distribution": "device",
}


def buckets(dimension: str) -> tuple[st.SearchStrategy, st.SearchStrategy]:
    good = st.tuples(TEXT, RATE_SENT).map(
        lambda b: ({dimension: b[0], "percentage": b[1][0]}, (b[0], b[1][1]))
    )
    bad = st.one_of(
        TEXT.map(lambda key: {dimension: key}),  # no percentage
        RATE_SENT.map(lambda r: {"percentage": r[0]}),  # no key
        RATE_SENT.map(lambda r: {dimension: None, "percentage": r[0]}),
        st.tuples(TEXT, NOT_NUMBERS).map(lambda b: {dimension: b[0], "percentage": b[1]}),
        st.sampled_from([None, "FEMALE", 0.5, ["MALE", 0.5]]),
    )
    return good, bad.map(lambda wire: (wire, None))


@st.composite
def daily_row(draw: st.DrawFn) -> tuple[dict, dict]:
    wire, expected = metrics(draw, DAILY_COUNTS, COUNT)
    rates, expected_rates = metrics(draw, DAILY_RATES, RATE)
    date = draw(st.dates()).isoformat()
    return {"date": date, **wire, **rates}, {"date": date, **expected, **expected_rates}


BAD_DAILY_ROW = st.one_of(
    st.just({"views": 5}),
    st.just({"date": None, "views": 5}),
    st.just({"date": "", "likes": 1}),
    st.sampled_from([None, "2026-05-02", 7]),
).map(lambda wire: (wire, None))


@st.composite
def views_by_source(draw: st.DrawFn) -> tuple[Any, dict]:
    sources = draw(st.lists(TEXT, unique=True, max_size=6))
    sent = [(source, draw(COUNT)) for source in sources]
    expected = {source: value for source, (_, value) in sent if value is not None}
    if draw(st.booleans()):  # S1/S3 object form
        return {s: wire for s, (wire, _) in sent if wire is not MISSING}, expected
    items: list[Any] = []
    for source, (wire, _) in sent:
        item: dict[str, Any] = {"source": source}
        put(item, "video_views", wire)
        items.append(item)
    bad = [{"video_views": 3}, {"source": None, "video_views": 3}, {"source": {}}, 42, None]
    for junk in draw(st.lists(st.sampled_from(bad), max_size=3)):
        items.insert(draw(st.integers(0, len(items))), junk)
    return items, expected


@st.composite
def retention(draw: st.DrawFn) -> tuple[Any, list[float]]:
    points = draw(st.lists(RATE_SENT, max_size=8))
    curve = [value for _, value in points]
    form = draw(st.sampled_from(["list", "json", "commas", "cut"]))
    if form == "json":
        return json.dumps([repr(float(wire)) for wire, _ in points]), curve
    if form == "commas":
        return ",".join(repr(value) for value in curve), curve
    wire = [sent for sent, _ in points]
    if form == "cut" and wire:  # points are positional: the curve stops at a bad one
        at = draw(st.integers(0, len(wire) - 1))
        return [*wire[:at], draw(NOT_NUMBERS), *wire[at + 1 :]], curve[:at]
    return wire, curve


@st.composite
def video(draw: st.DrawFn) -> tuple[dict, dict]:
    counts, expected = metrics(draw, REPORT_COUNTS, COUNT)
    rates, expected_rates = metrics(draw, REPORT_RATES, RATE)
    wire = {**counts, **rates}
    expected.update(expected_rates)
    sent_id, video_id = draw(ID)
    if draw(st.booleans()):
        wire["video_info"] = {"video_id": sent_id}
    else:
        wire["video_id"] = sent_id
    expected["id"] = video_id
    for field, dimension in DIMENSIONS.items():
        if draw(st.booleans()):
            wire[field], expected[field] = mixed(draw, *buckets(dimension))
    if draw(st.booleans()):
        wire["daily_stats"], expected["daily_stats"] = mixed(draw, daily_row(), BAD_DAILY_ROW)
    if draw(st.booleans()):
        wire["video_views_by_source"], expected["video_views_by_source"] = draw(views_by_source())
    if draw(st.booleans()):
        wire["video_view_retention"], expected["video_view_retention"] = draw(retention())
    return wire, expected


@st.composite
def report(draw: st.DrawFn) -> tuple[dict, list[dict], dict, bool]:
    videos = draw(st.lists(video(), max_size=2))
    info, expected_info, hopeless = draw(page_info())
    payload: dict[str, Any] = {"videos": [wire for wire, _ in videos], "page_info": info}
    if draw(st.integers(0, 9)) == 0:  # a video entry that is no object: its metrics are lost
        payload["videos"].append(draw(st.sampled_from([None, "7683390748473003277", 7, [1]])))
        hopeless = True
    put(payload, "campaign_id", draw(st.one_of(st.just(MISSING), ID.map(lambda i: i[0]))))
    return payload, [value for _, value in videos], expected_info, hopeless


def assert_video(parsed: schemas.VideoMetrics, expected: dict) -> None:
    assert parsed.id == expected["id"]
    for name in REPORT_COUNTS + REPORT_RATES:
        if name in expected:
            assert getattr(parsed, name) == expected[name], name
    for field in DIMENSIONS:
        got = [(share.key, share.percentage) for share in getattr(parsed, field)]
        assert got == expected.get(field, []), field
    days = [row.model_dump(exclude_none=True) for row in parsed.daily_stats]
    wanted = [
        {k: v for k, v in row.items() if v is not None} for row in expected.get("daily_stats", [])
    ]
    assert days == wanted
    assert parsed.video_views_by_source == expected.get("video_views_by_source", {})
    assert parsed.video_view_retention == expected.get("video_view_retention", [])


@settings(PROPERTIES, max_examples=100)
@given(report())
def test_report_keeps_every_well_formed_value(answer):
    payload, videos, info, hopeless = answer
    try:
        page = schemas.ReportPage.model_validate(payload)
    except ValidationError:
        assert hopeless, "a recoverable report was refused"
        return
    assert not hopeless, "a hopeless report was accepted"
    assert len(page.videos) == len(videos)
    for parsed, expected in zip(page.videos, videos, strict=True):
        assert_video(parsed, expected)
    for name, value in info.items():
        assert getattr(page.page_info, name) == value


# -- Campaigns (§5.4) ------------------------------------------------------------------------

MALFORMED_LIST_ITEMS = st.sampled_from([None, "", {}, [], {"id": 1}, True, 1.5, [1, 2]])


def text_list(draw: st.DrawFn, good: st.SearchStrategy) -> tuple[list, list]:
    """Good entries mixed with null, empty and malformed ones (dropped, and logged)."""
    return mixed(draw, good, MALFORMED_LIST_ITEMS.map(lambda junk: (junk, None)))


@st.composite
def campaign(draw: st.DrawFn) -> tuple[dict, dict]:
    sent_id, campaign_id = draw(ID)
    wire: dict[str, Any] = {"campaign_id": sent_id}
    expected: dict[str, Any] = {"campaign_id": campaign_id}
    days, expected["spark_ads_requested_authorization_days"] = draw(COUNT)
    put(wire, "spark_ads_requested_authorization_days", days)
    name = draw(st.one_of(st.just(MISSING), TEXT))
    put(wire, "campaign_name", name)
    expected["campaign_name"] = "" if name is MISSING else name
    handles = st.one_of(TEXT.map(lambda h: (h, h)), WHOLE.map(lambda n: (n, str(n))))
    wire["handle_names"], expected["handle_names"] = text_list(draw, handles)
    wire["video_ids"], expected["video_ids"] = text_list(draw, ID)
    wire["country_codes"], expected["country_codes"] = text_list(draw, TEXT.map(lambda c: (c, c)))
    sent_brand, expected["brand_profile_id"] = draw(st.one_of(st.just((MISSING, "")), ID))
    put(wire, "brand_profile_id", sent_brand)
    return wire, expected


HOPELESS_CAMPAIGN: st.SearchStrategy[Any] = st.sampled_from(
    [{"campaign_name": "no id"}, {"campaign_id": None}, {"campaign_id": {}}, None, "7619"]
)


@st.composite
def campaign_page(draw: st.DrawFn) -> tuple[dict, list[dict], dict, bool]:
    campaigns = draw(st.lists(campaign(), max_size=4))
    wire: list[Any] = [sent for sent, _ in campaigns]
    hopeless = False
    if draw(st.integers(0, 4)) == 0:  # a campaign without an id would look missing
        wire.insert(draw(st.integers(0, len(wire))), draw(HOPELESS_CAMPAIGN))
        hopeless = True
    info, expected_info, bad_info = draw(page_info())
    payload = {"campaigns": wire, "page_info": info}
    return payload, [expected for _, expected in campaigns], expected_info, hopeless or bad_info


@PROPERTIES
@given(campaign_page())
def test_campaign_page_keeps_every_well_formed_value(answer):
    payload, campaigns, info, hopeless = answer
    try:
        page = schemas.CampaignPage.model_validate(payload)
    except ValidationError:
        assert hopeless, "a recoverable campaign page was refused"
        return
    assert not hopeless, "a campaign page with an unidentifiable campaign was accepted"
    assert len(page.campaigns) == len(campaigns)
    for parsed, expected in zip(page.campaigns, campaigns, strict=True):
        for name, value in expected.items():
            assert getattr(parsed, name) == value, name
    for name, value in info.items():
        assert getattr(page.page_info, name) == value


# -- Posts (§4.3) ----------------------------------------------------------------------------


@st.composite
def post(draw: st.DrawFn) -> tuple[dict, dict]:
    wire, expected = metrics(draw, POST_COUNTS, COUNT)
    sent_id, expected["video_id"] = draw(ID)
    wire["video_id"] = sent_id
    tags = TEXT.map(lambda t: (t, t))
    wire["caption_hashtags"], expected["caption_hashtags"] = text_list(draw, tags)
    wire["mentioned_accounts"], expected["mentioned_accounts"] = text_list(draw, tags)
    return wire, expected


@st.composite
def post_page(draw: st.DrawFn) -> tuple[dict, list[dict], dict, bool]:
    posts = draw(st.lists(post(), max_size=4))
    wire = [sent for sent, _ in posts]
    hopeless = False
    if draw(st.integers(0, 4)) == 0:  # a post missing from the page would read as taken down
        wire.insert(draw(st.integers(0, len(wire))), draw(st.sampled_from([{"likes": 1}, None])))
        hopeless = True
    has_more = draw(st.booleans())
    info: dict[str, Any] = {"has_more": has_more}
    expected_info: dict[str, Any] = {"has_more": has_more}
    cursor = draw(
        st.one_of(
            st.just((MISSING, None, False)),
            st.integers(0, 2 * 10**12).map(lambda ms: (str(ms), ms, False)),
            st.integers(0, 2 * 10**12).map(lambda ms: (ms, ms, False)),
            WHOLE_OR_HOPELESS,
        )
    )
    put(info, "cursor", cursor[0])
    expected_info["cursor"] = cursor[1]
    payload = {"posts": wire, "page_info": info}
    return payload, [expected for _, expected in posts], expected_info, hopeless or cursor[2]


@PROPERTIES
@given(post_page())
def test_post_page_keeps_every_well_formed_value(answer):
    payload, posts, info, hopeless = answer
    try:
        page = schemas.PostPage.model_validate(payload)
    except ValidationError:
        assert hopeless, "a recoverable post page was refused"
        return
    assert not hopeless, "a post page with an unidentifiable post was accepted"
    assert len(page.posts) == len(posts)
    for parsed, expected in zip(page.posts, posts, strict=True):
        for name, value in expected.items():
            assert getattr(parsed, name) == value, name
    assert page.page_info.model_dump() == info


# -- Anything at all -------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities too: Python's json reads them
    | st.text(max_size=8)
    | st.sampled_from(["1e999", "-0", "1_000", "sNaN", "[1,", "[[[[", "2026-13-45 25:61:00"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
MODELS = sorted(
    (
        model
        for model in vars(schemas).values()
        if isinstance(model, type) and issubclass(model, schemas.Model) and model.model_fields
    ),
    key=lambda model: model.__name__,
)


@st.composite
def shaped_like(draw: st.DrawFn, model: type[schemas.Model]) -> dict[str, Any]:
    """The model's own field names (and nested models' ones), with any JSON for values."""
    names = list(model.model_fields)
    payload = {name: draw(JSON) for name in draw(st.lists(st.sampled_from(names), unique=True))}
    for name, field in model.model_fields.items():
        nested = _nested_model(field.annotation)
        if nested is not None and draw(st.booleans()):
            inner = draw(shaped_like(nested)) if nested is not model else {}
            payload[name] = [inner] if _is_list(field.annotation) else inner
    return payload


def _nested_model(annotation: Any) -> type[schemas.Model] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, schemas.Model):
            return candidate
    return None


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


@st.composite
def any_answer(draw: st.DrawFn) -> tuple[type[schemas.Model], Any]:
    """A model, and any JSON or its own field names with any JSON for values."""
    model = draw(st.sampled_from(MODELS))
    return model, draw(st.one_of(JSON, shaped_like(model)))


@settings(PROPERTIES, max_examples=200)
@given(any_answer())
def test_nothing_but_a_validation_error_escapes(answer):
    """No KeyError, TypeError, OverflowError or RecursionError from any answer: a hopeless
    one is a ValidationError, which client.parse reports as UnexpectedResponse."""
    model, payload = answer
    try:
        model.model_validate(payload)
    except ValidationError:
        pass
