"""Checking and rendering user-written email templates.

Two layers, so that neither has to be perfect alone:
- at save, the template's syntax tree is checked against the placeholder catalogue:
  unknown placeholders (with the closest valid name), function calls, attribute
  access on anything but a placeholder, filters outside a short list, includes,
  macros and `{% autoescape false %}` are refused, each named. So is whatever lets a
  short template make a huge email or burn CPU: arithmetic and repetition operators
  (`{{ 7**3000000 }}`, `{{ 'a' * 20000000 }}`), a `{% for %}` inside another, and a
  `{% set %}` / `{% with %}` built from another (doubling a string at each step);
- at render, Jinja's ImmutableSandboxedEnvironment runs with no globals (no
  `lipsum`, `cycler`, `range` …), no arithmetic, only the allowed filters (those
  that can grow a string check the size first), and a context made of plain dicts,
  lists and strings (context.py), never ORM objects. HTML bodies are autoescaped;
  text bodies and subjects are not. A rendered email is at most
  OUTREACH_EMAIL_MAX_CHARS characters, and any failure is a RenderError with the
  reason — a refusal for that creator, never a crash.

`check_email()` also reports which placeholders a template *needs* (used outside
an `{% if %}` on that placeholder or a `|default`): a creator with no value for one
of those is blocked, not sent a half-empty email.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from django.conf import settings
from jinja2 import Template, TemplateError, TemplateSyntaxError, Undefined, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from inviteflow.outreach.placeholders import (
    ALLOWED_FILTERS,
    BY_NAME,
    GROUPS,
    LINK_FIELDS,
    LOOP_FIELDS,
)

REFUSED_STATEMENTS = {
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.Block: "{% block %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
    nodes.EvalContextModifier: "{% autoescape %}",
}
# Arithmetic and repetition: `**` and `*` alone make numbers and strings of any size.
REFUSED_OPERATORS: dict[type[nodes.Expr], str] = {
    nodes.Pow: "**",
    nodes.Mul: "*",
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Neg: "unary -",
    nodes.Pos: "unary +",
}
EMAIL_FIELDS = ("subject", "body", "html_body")


class RenderError(Exception):
    """A template could not be rendered for one creator; the message says why."""


class EmailTooLarge(Exception):
    """Rendering would make an email larger than OUTREACH_EMAIL_MAX_CHARS."""


def max_chars() -> int:
    return settings.OUTREACH_EMAIL_MAX_CHARS


def _too_large() -> EmailTooLarge:
    return EmailTooLarge(
        f"the rendered email would be larger than {max_chars():,} characters "
        "(OUTREACH_EMAIL_MAX_CHARS)"
    )


class EmailEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox without arithmetic: an operator the save-time check missed still fails
    here, and none is folded into a huge constant when the template is compiled."""

    intercepted_binops = frozenset(op for op in REFUSED_OPERATORS.values() if " " not in op)
    intercepted_unops = frozenset({"-", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise TemplateError(f"the {operator} operator is not allowed in email templates")

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:
        raise TemplateError(f"the unary {operator} operator is not allowed in email templates")


def _checked_size(text: Any) -> Any:
    if isinstance(text, str) and len(text) > max_chars():
        raise _too_large()
    return text


def _growth_bound(name: str, value: Any, args: tuple, kwargs: dict) -> int:
    """An upper bound of what `replace`, `join` and `wordwrap` would make, before making it."""
    if name == "replace" and len(args) >= 2:
        text, old, new = str(value), str(args[0]), str(args[1])
        places = text.count(old) if old else len(text) + 1  # "" matches between characters
        return len(text) + places * max(len(new) - len(old), 0)
    if name == "join":
        items = [str(item) for item in value]
        separator = str(args[0] if args else kwargs.get("d", ""))
        return sum(map(len, items)) + len(separator) * len(items)
    if name == "wordwrap":
        wrapstring = args[2] if len(args) > 2 else kwargs.get("wrapstring")
        return len(str(value)) * (1 + len(str(wrapstring or "\n")))
    return 0


def _bounded(name: str, jinja_filter: Callable[..., Any]) -> Callable[..., Any]:
    """The filter, refusing to make a string larger than an email may be."""
    passes = getattr(jinja_filter, "jinja_pass_arg", None)  # Jinja's context/env argument

    def bounded(*args: Any, **kwargs: Any) -> Any:
        value_at = 0 if passes is None else 1
        if _growth_bound(name, args[value_at], args[value_at + 1 :], kwargs) > max_chars():
            raise _too_large()
        return _checked_size(jinja_filter(*args, **kwargs))

    if passes is not None:
        bounded.jinja_pass_arg = passes  # type: ignore[attr-defined]
    return bounded


def _environment(autoescape: bool) -> EmailEnvironment:
    env = EmailEnvironment(
        autoescape=autoescape,
        undefined=Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        cache_size=0,
    )
    env.globals.clear()
    env.filters = {
        name: _bounded(name, f) for name, f in env.filters.items() if name in ALLOWED_FILTERS
    }
    return env


TEXT_ENV = _environment(autoescape=False)
HTML_ENV = _environment(autoescape=True)


# --- the save-time check ---------------------------------------------------------------------


@dataclass
class Usage:
    """What one template source uses: needed placeholders, optional ones, problems found."""

    needed: set[str] = field(default_factory=set)
    optional: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)


def suggestion(name: str, choices: list[str]) -> str:
    close = get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" — did you mean {close[0]}?" if close else ""


def _unknown(name: str) -> str:
    return f"unknown placeholder {name}{suggestion(name, list(BY_NAME))}"


def _chain(node: nodes.Node) -> tuple[nodes.Node, list[str | int]] | None:
    """`a.b["c"][0]` → (Name a, ["b", "c", 0]); None when a part is not a constant."""
    parts: list[str | int] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str | int):
            parts.append(node.arg.value)
        else:
            return None
        node = node.node
    return node, parts[::-1]


def _dotted(root: str, parts: list[str | int]) -> str:
    return root + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


class _Checker:
    """Walks a template's syntax tree once, recording uses and problems into a Usage."""

    def __init__(self) -> None:
        self.usage = Usage()
        self.guarded: list[set[str]] = []  # placeholders tested by enclosing {% if %}s
        self.optional_depth = 0
        self.collectors: list[set[str]] = []
        self.loop_depth = 0
        self.building: list[str] = []  # the {% set %} / {% with %} variables being made

    def visit_all(self, items: Sequence[nodes.Node], scope: dict[str, str]) -> None:
        for item in items:
            self.visit(item, scope)

    def visit(self, node: nodes.Node, scope: dict[str, str]) -> None:
        for kind, label in REFUSED_STATEMENTS.items():
            if isinstance(node, kind):
                self.usage.problem(f"{label} is not allowed in email templates")
                return
        for operator_kind, operator in REFUSED_OPERATORS.items():
            if isinstance(node, operator_kind):
                self.usage.problem(
                    f"the {operator} operator is not allowed in email templates "
                    "(no arithmetic or repetition)"
                )
        handler = getattr(self, f"visit_{type(node).__name__}", None)
        if handler is not None:
            handler(node, scope)
        else:
            self.visit_all(list(node.iter_child_nodes()), scope)

    def record(self, name: str) -> None:
        for collector in self.collectors:
            collector.add(name)
        is_guarded = any(name in names for names in self.guarded)
        if self.optional_depth or is_guarded:
            self.usage.optional.add(name)
        else:
            self.usage.needed.add(name)

    def tested(self, expr: nodes.Node, scope: dict[str, str]) -> set[str]:
        """Visit a condition: its placeholders are optional there, and guarded inside."""
        self.collectors.append(set())
        self.optional_depth += 1
        self.visit(expr, scope)
        self.optional_depth -= 1
        return self.collectors.pop()

    # statements

    def visit_If(self, node: nodes.If, scope: dict[str, str]) -> None:
        self.guarded.append(self.tested(node.test, scope))
        self.visit_all(node.body, scope)
        self.guarded.pop()
        self.visit_all(node.elif_, scope)
        self.visit_all(node.else_, scope)

    def visit_For(self, node: nodes.For, scope: dict[str, str]) -> None:
        if self.loop_depth:
            self.usage.problem("a {% for %} inside another {% for %} is not allowed")
        item_kind = self.loop_item_kind(node, scope)
        inner = {**scope, "loop": "loop"}
        for target in _target_names(node.target):
            inner[target] = item_kind
        if node.test is not None:
            self.tested(node.test, inner)
        self.loop_depth += 1
        self.visit_all(node.body, inner)
        self.loop_depth -= 1
        self.visit_all(node.else_, scope)

    def loop_item_kind(self, node: nodes.For, scope: dict[str, str]) -> str:
        found = _chain(node.iter)
        if found and isinstance(found[0], nodes.Name) and not found[1] and found[0].name in scope:
            return "any"
        name = self.placeholder_of(node.iter, scope, optional=bool(node.else_))
        if name is None:
            return "any"
        if not BY_NAME[name].item_fields:
            self.usage.problem(f"{{% for %}} can only loop over a list placeholder, not {name}")
        return "link"

    def visit_Assign(self, node: nodes.Assign, scope: dict[str, str]) -> None:
        self.make_variables(node.target, [node.node], scope)

    def visit_AssignBlock(self, node: nodes.AssignBlock, scope: dict[str, str]) -> None:
        self.make_variables(node.target, node.body, scope)

    def make_variables(
        self, target: nodes.Node, value: Sequence[nodes.Node], scope: dict[str, str]
    ) -> None:
        """`{% set %}`: its value is visited as being made (see check_local)."""
        self.building.append(", ".join(_target_names(target)))
        self.visit_all(value, scope)
        self.building.pop()
        for name in _target_names(target):
            scope[name] = "made"

    def visit_FilterBlock(self, node: nodes.FilterBlock, scope: dict[str, str]) -> None:
        self.visit(node.filter, scope)
        self.visit_all(node.body, scope)

    # expressions

    def visit_With(self, node: nodes.With, scope: dict[str, str]) -> None:
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=True):
            self.make_variables(target, [value], scope)
            inner.update((name, "made") for name in _target_names(target))
        self.visit_all(node.body, inner)

    def visit_Name(self, node: nodes.Name, scope: dict[str, str]) -> None:
        if node.ctx == "load":
            self.placeholder_of(node, scope)

    def visit_Getattr(self, node: nodes.Getattr, scope: dict[str, str]) -> None:
        self.placeholder_of(node, scope)

    def visit_Getitem(self, node: nodes.Getitem, scope: dict[str, str]) -> None:
        self.placeholder_of(node, scope)

    def visit_Call(self, node: nodes.Call, scope: dict[str, str]) -> None:
        self.usage.problem("function calls are not allowed in email templates")

    def visit_Filter(self, node: nodes.Filter, scope: dict[str, str]) -> None:
        if node.name not in ALLOWED_FILTERS:
            hint = suggestion(node.name, sorted(ALLOWED_FILTERS))
            self.usage.problem(f"unknown filter |{node.name}{hint}")
        self.visit_all([*node.args, *node.kwargs], scope)
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            self.usage.problem("*args and **kwargs are not allowed in email templates")
        if node.node is None:
            return
        if node.name in ("default", "d"):
            self.tested(node.node, scope)
        else:
            self.visit(node.node, scope)

    def visit_CondExpr(self, node: nodes.CondExpr, scope: dict[str, str]) -> None:
        self.guarded.append(self.tested(node.test, scope))
        self.visit(node.expr1, scope)
        self.guarded.pop()
        if node.expr2 is not None:
            self.visit(node.expr2, scope)

    # placeholders

    def placeholder_of(
        self, expr: nodes.Node, scope: dict[str, str], optional: bool = False
    ) -> str | None:
        """Check a placeholder reference; record and return its catalogue name when valid."""
        found = _chain(expr)
        if found is None:
            self.usage.problem("only fixed field names may follow [ ] in a placeholder")
            return None
        root, parts = found
        if not isinstance(root, nodes.Name) and not parts:
            self.visit(root, scope)
            return None
        if not isinstance(root, nodes.Name):
            shown = ".".join(str(p) for p in parts)
            self.usage.problem(
                f"“.{shown}” is not allowed: fields can only be read from placeholders"
            )
            self.visit(root, scope)
            return None
        if root.name in scope:
            self.check_local(root.name, scope[root.name], parts)
            if scope[root.name] == "made" and self.building:
                self.usage.problem(
                    f"{root.name} is made by {{% set %}} or {{% with %}}, so {self.building[-1]} "
                    "may not be built from it: build each from placeholders"
                )
            return None
        name = self.catalogue_name(root.name, parts)
        if name is not None:
            self.optional_depth += optional
            self.record(name)
            self.optional_depth -= optional
        return name

    def check_local(self, root: str, kind: str, parts: list[str | int]) -> None:
        allowed = {"link": LINK_FIELDS, "loop": LOOP_FIELDS}.get(kind, ())
        if parts and (len(parts) > 1 or parts[0] not in allowed):
            dotted = _dotted(root, parts)
            choices = [f"{root}.{f}" for f in allowed]
            self.usage.problem(f"unknown field {dotted}{suggestion(dotted, choices)}")

    def catalogue_name(self, root: str, parts: list[str | int]) -> str | None:
        dotted = _dotted(root, parts)
        if root in GROUPS and not parts:
            self.usage.problem(
                f"{root} is a group, not a placeholder: use {root}.<field>, "
                f"e.g. {next(n for n in BY_NAME if n.startswith(root + '.'))}"
            )
            return None
        if root not in GROUPS or not parts or not isinstance(parts[0], str):
            self.usage.problem(_unknown(dotted))
            return None
        name = f"{root}.{parts[0]}"
        rest = parts[1:]
        if name not in BY_NAME or not _valid_rest(BY_NAME[name].item_fields, rest):
            self.usage.problem(_unknown(dotted))
            return None
        return name


def _valid_rest(item_fields: tuple[str, ...], rest: list[str | int]) -> bool:
    """Nothing after a plain placeholder; `[n]` or `[n].field` after a list placeholder."""
    if not rest:
        return True
    if not item_fields or not isinstance(rest[0], int):
        return False
    return len(rest) == 1 or (len(rest) == 2 and rest[1] in item_fields)


def _target_names(target: nodes.Node) -> Iterator[str]:
    if isinstance(target, nodes.Name):
        yield target.name
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            yield from _target_names(item)


def check_source(source: str, html: bool = False) -> Usage:
    """Parse one template source and check it against the catalogue."""
    env = HTML_ENV if html else TEXT_ENV
    checker = _Checker()
    try:
        checker.visit(env.parse(source), {})
    except TemplateSyntaxError as exc:
        return Usage(problems=[f"line {exc.lineno}: {exc.message}"])
    except RecursionError:
        return Usage(problems=["too deeply nested"])
    except ValueError:  # a number longer than Python reads (4,300 digits)
        return Usage(problems=["a number is too long"])
    usage = checker.usage
    usage.optional -= usage.needed
    return usage


def check_email(subject: str, body: str, html_body: str) -> tuple[dict[str, list[str]], set[str]]:
    """Problems per field ({} when all is well) and the placeholders the email needs."""
    problems: dict[str, list[str]] = {}
    needed: set[str] = set()
    for name, source in zip(EMAIL_FIELDS, (subject, body, html_body), strict=True):
        usage = check_source(source, html=name == "html_body")
        if usage.problems:
            problems[name] = usage.problems
        needed |= usage.needed
    return problems, needed


# --- rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    html_body: str


class CompiledEmail:
    """A template's three parts compiled once, rendered for many creators."""

    def __init__(self, subject: str, body: str, html_body: str) -> None:
        problems, self.needed = check_email(subject, body, html_body)
        self.problems = problems
        if problems:
            return
        self.subject = TEXT_ENV.from_string(subject)
        self.body = TEXT_ENV.from_string(body)
        self.html_body = HTML_ENV.from_string(html_body) if html_body.strip() else None

    def render(self, context: dict) -> RenderedEmail:
        """The email for one context, or a RenderError saying why not (whatever went wrong)."""
        if self.problems:
            raise RenderError(_first_problem(self.problems))
        budget = _Budget(max_chars())
        try:
            subject = budget.render(self.subject, context)
            body = budget.render(self.body, context)
            html_body = budget.render(self.html_body, context) if self.html_body else ""
        except EmailTooLarge as exc:
            raise RenderError(str(exc)) from exc
        except TemplateError as exc:
            raise RenderError(f"the template could not be rendered: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - a creator's email fails, never the request
            raise RenderError(f"the template could not be rendered: {exc}") from exc
        return RenderedEmail(" ".join(subject.split())[:255], body, html_body)


class _Budget:
    """Characters an email may still use; rendering stops as soon as it runs out."""

    def __init__(self, chars: int) -> None:
        self.left = chars

    def render(self, template: Template, context: dict) -> str:
        parts = []
        for part in template.generate(context):
            self.left -= len(part)
            if self.left < 0:
                raise _too_large()
            parts.append(part)
        return "".join(parts)


def _first_problem(problems: dict[str, list[str]]) -> str:
    field_name, messages = next(iter(problems.items()))
    return f"the template has errors ({field_name}: {messages[0]})"
