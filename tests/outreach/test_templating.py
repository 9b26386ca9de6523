"""The save-time check and the sandboxed rendering of user-written templates."""

import pytest

from inviteflow.outreach.defaults import DEFAULTS
from inviteflow.outreach.placeholders import CATALOGUE, LinkList, example_context
from inviteflow.outreach.templating import CompiledEmail, RenderError, check_email, check_source

INJECTIONS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "{{ config }}",
    "{{ self }}",
    "{{ lipsum.__globals__ }}",
    "{{ creator.first_name.__class__.__mro__ }}",
    "{{ creator.name | attr('__class__') }}",
    "{{ request }}",
    "{{ range(10) }}",
    "{% include 'base.html' %}",
    "{% autoescape false %}{{ creator.name }}{% endautoescape %}",
]


def test_unknown_placeholder_is_named_with_the_closest_valid_name():
    problems, _ = check_email("Hi", "Hello {{ creator.frist_name }}", "")
    assert problems == {
        "body": ["unknown placeholder creator.frist_name — did you mean creator.first_name?"]
    }


def test_each_unknown_placeholder_is_named_once():
    usage = check_source("{{ campain.name }} {{ tiktok.invite_lnk }} {{ campain.name }} {{ zzz }}")
    assert usage.problems == [
        "unknown placeholder campain.name — did you mean campaign.name?",
        "unknown placeholder tiktok.invite_lnk — did you mean tiktok.invite_link?",
        "unknown placeholder zzz",
    ]


def test_syntax_errors_give_the_line():
    usage = check_source("Hi\n\n{% if creator.name %}no end")
    assert len(usage.problems) == 1 and usage.problems[0].startswith("line 3: ")


def test_loop_fields_are_checked_too():
    usage = check_source("{% for link in tiktok.invite_links %}{{ link.uri }}{% endfor %}")
    assert usage.problems == ["unknown field link.uri — did you mean link.url?"]
    assert (
        check_source(
            "{% for l in tiktok.invite_links %}{{ loop.index }}. {{ l.url }} "
            "{{ l.posts_left }}{% endfor %}"
        ).problems
        == []
    )


def test_a_group_alone_is_not_a_placeholder():
    assert check_source("{{ creator }}").problems[0].startswith("creator is a group")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_payloads_are_refused_at_save(payload):
    for field in ("subject", "body", "html_body"):
        problems, _ = check_email(
            *(payload if f == field else "x" for f in ("subject", "body", "html_body"))
        )
        assert problems.get(field), f"{payload!r} accepted in {field}"


@pytest.mark.parametrize("payload", INJECTIONS[:6])
def test_injection_payloads_are_harmless_at_render(payload):
    """Even a template that skipped the check renders nothing of the machine's internals."""
    compiled = CompiledEmail("s", "b", "h")
    compiled.problems = {}  # as if a template had been written straight into the database
    from inviteflow.outreach.templating import TEXT_ENV

    compiled.body = TEXT_ENV.from_string(payload)
    try:
        output = compiled.render(example_context()).body
    except RenderError as exc:
        output = str(exc)
    for leak in ("<class", "function", "module", "object at", "Config", "SECRET", "import"):
        assert leak not in output


def test_a_template_with_problems_does_not_render():
    compiled = CompiledEmail("{{ config }}", "b", "")
    with pytest.raises(RenderError, match="unknown placeholder config"):
        compiled.render(example_context())


def test_optional_placeholders_are_those_under_if_or_default():
    _, needed = check_email(
        "{{ campaign.name }}",
        "{% if tiktok.campaign_code %}Code: {{ tiktok.campaign_code }}{% endif %}"
        "{{ campaign.brief | default('no brief') }}{{ tiktok.invite_link }}",
        "",
    )
    assert needed == {"campaign.name", "tiktok.invite_link"}


def test_a_loop_with_else_makes_its_list_optional():
    _, needed = check_email(
        "s", "{% for l in tiktok.invite_links %}{{ l.url }}{% else %}soon{% endfor %}", ""
    )
    assert needed == set()


def test_html_is_escaped_and_text_is_not():
    context = example_context()
    context["creator"]["name"] = "<b>Ada & co</b>"
    email = CompiledEmail(
        "{{ creator.name }}", "{{ creator.name }}", "<p>{{ creator.name }}</p>"
    ).render(context)
    assert email.body == "<b>Ada & co</b>"
    assert email.html_body == "<p>&lt;b&gt;Ada &amp; co&lt;/b&gt;</p>"


def test_subject_is_one_line():
    email = CompiledEmail("Hi\n{{ creator.name }}\r\nBcc: x@y", "b", "").render(example_context())
    assert email.subject == "Hi Ada Lovelace Bcc: x@y"


def test_link_list_reads_well_in_text_and_html():
    links = LinkList(
        [
            {"url": "https://t/a", "posts_left": 10, "sequence": 1},
            {"url": "https://t/b?x=<1>", "posts_left": 1, "sequence": 2},
        ]
    )
    email = CompiledEmail("s", "{{ tiktok.invite_links }}", "{{ tiktok.invite_links }}").render(
        {**example_context(), "tiktok": {"invite_links": links}}
    )
    assert email.body == "https://t/a (10 posts left)\nhttps://t/b?x=<1> (1 post left)"
    assert '<li><a href="https://t/b?x=&lt;1&gt;">' in email.html_body
    assert email.html_body.startswith("<ul><li>")


def test_templates_cannot_change_their_context():
    email = CompiledEmail("s", "{% set x = creator.name %}{{ x | upper }}", "").render(
        example_context()
    )
    assert email.body == "ADA LOVELACE"
    assert check_source("{{ creator.clear() }}").problems == [
        "function calls are not allowed in email templates"
    ]


def test_every_catalogue_placeholder_passes_the_check():
    source = " ".join(p.tag for p in CATALOGUE)
    assert check_source(source).problems == []
    assert check_source(source, html=True).problems == []


@pytest.mark.parametrize("default", DEFAULTS, ids=lambda d: d.key)
def test_shipped_defaults_pass_the_check_and_render(default):
    problems, _ = check_email(default.subject, default.body, default.html_body)
    assert problems == {}
    email = CompiledEmail(default.subject, default.body, default.html_body).render(
        example_context()
    )
    assert "Ada" in email.body and "Ada" in email.html_body
