"""Where e-mail templates run: a Jinja2 sandbox that reads declared variables and nothing else.

A seller's template is checked when it is saved (`check`): only declared variables, no attribute walks,
no calls, no arithmetic that can blow up memory, a short list of filters. Rendering uses a sandbox
whose objects expose no attributes at all, so a template that slipped past the check (written to the
database by hand) still reaches nothing: it fails to render instead (see templates.render_email).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment

from comptoir.errors import CommonErrorCode, DomainError, ErrorCode, collect_errors

# Filters a template may use: none reaches an attribute, calls code or grows its input without bound.
SAFE_FILTERS = frozenset({
    "capitalize", "default", "d", "e", "escape", "first", "last", "length", "lower", "round",
    "striptags", "title", "trim", "upper", "join", "replace", "truncate", "wordcount",
})
# Statements a template may use: conditions, loops over a declared list, plain assignments.
_REFUSED_NODES: dict[type[nodes.Node], str] = {
    nodes.Call: "calls", nodes.Macro: "macros", nodes.CallBlock: "call blocks",
    nodes.Include: "includes", nodes.Import: "imports", nodes.FromImport: "imports",
    nodes.Extends: "extends", nodes.Block: "blocks", nodes.Pow: "powers", nodes.Mul: "multiplication",
    nodes.FilterBlock: "filter blocks", nodes.With: "with blocks", nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape", nodes.Test: "tests other than defined",
}
_ALLOWED_TESTS = frozenset({"defined", "undefined", "none", "number", "string"})


class TemplateErrorCode(ErrorCode):
    TEMPLATE_SYNTAX = "template_syntax"
    UNKNOWN_VARIABLE = "unknown_variable"
    UNSAFE_TEMPLATE = "unsafe_template"
    UNKNOWN_TEMPLATE = "unknown_template"
    UNSUPPORTED_LANGUAGE = "unsupported_language"


class TemplateRefused(DomainError):
    """A template a seller may not save: the code says why."""


class _NoAttributes(SandboxedEnvironment):
    """Values are plain data: `x.y` reads a dict key, never a Python attribute or method."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, LoopContext) and not attr.startswith("_") and not callable(value)

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def wrap_str_format(self, value: Any) -> None:  # no str.format, even the sandbox's safe one
        return None


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    environment = _NoAttributes(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True)
    environment.globals.clear()
    environment.filters = {name: f for name, f in environment.filters.items() if name in SAFE_FILTERS}
    environment.tests = {name: t for name, t in environment.tests.items() if name in _ALLOWED_TESTS}
    return environment


TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


def check(source: str, variables: Iterable[str], *, field: str) -> None:
    """Refuse (TemplateRefused) a template with bad syntax, an undeclared variable or an unsafe construct."""
    try:
        tree = TEXT.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateRefused(TemplateErrorCode.TEMPLATE_SYNTAX, "Line %(line)s: %(problem)s", field=field,
                              params={"line": error.lineno, "problem": error.message}) from None
    _refuse_unsafe(tree, field)
    declared = set(variables) | _assigned(tree)
    unknown = sorted(_names_read(tree) - declared)
    if unknown:
        raise TemplateRefused(TemplateErrorCode.UNKNOWN_VARIABLE, "Unknown variable(s): %(names)s.",
                              field=field, params={"names": ", ".join(unknown)})


def check_email(subject: str, body_html: str, body_text: str, variables: Iterable[str]) -> None:
    """An e-mail's texts as a seller gives them: a subject, at least one body, every part checked; every
    refused field reported at once."""
    allowed = frozenset(variables)
    with collect_errors() as errors:
        if not subject.strip():
            errors.add(DomainError(CommonErrorCode.REQUIRED, "A subject is required.", field="subject"))
        if not (body_html.strip() or body_text.strip()):
            errors.add(DomainError(CommonErrorCode.REQUIRED, "Give an HTML or a text body.", field="bodyText"))
        for field, source in (("subject", subject), ("bodyHtml", body_html), ("bodyText", body_text)):
            errors.check(lambda s=source, f=field: check(s, allowed, field=f))


def _refuse_unsafe(tree: nodes.Template, field: str) -> None:
    for node in tree.find_all(nodes.Node):
        refused = next((what for kind, what in _REFUSED_NODES.items() if type(node) is kind), None)
        if isinstance(node, nodes.Test) and node.name in _ALLOWED_TESTS:
            refused = None
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            refused = "private attributes"
        if isinstance(node, (nodes.Getattr, nodes.Getitem)) and not isinstance(node.node, nodes.Name):
            refused = "attribute walks"
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            refused = "computed keys"
        if isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
            refused = f"the filter {node.name}"
        if isinstance(node, nodes.For) and not isinstance(node.iter, nodes.Name):
            refused = "loops over anything but a variable"
        if refused:
            raise TemplateRefused(TemplateErrorCode.UNSAFE_TEMPLATE, "Templates may not use %(construct)s.",
                                  field=field, params={"construct": refused})


def _names_read(tree: nodes.Template) -> set[str]:
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}


def _assigned(tree: nodes.Template) -> set[str]:
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")} | {"loop"}


@functools.lru_cache(maxsize=1024)
def _compiled(source: str, *, html: bool) -> Template:
    """Compiling costs far more than rendering: each distinct text is compiled once per process."""
    return (HTML if html else TEXT).from_string(source)


def render_text(source: str, variables: dict[str, Any]) -> str:
    return _compiled(source, html=False).render(variables)


def render_html(source: str, variables: dict[str, Any]) -> str:
    return _compiled(source, html=True).render(variables)


# ---- the other part of multipart/alternative ------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+")
LAYOUT = (
    '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body style="font-family: sans-serif; line-height: 1.5; color: #222;">\n{body}\n</body></html>\n'
)


def html_from_text(text: str, *, subject: str, language: str) -> str:
    """An HTML part for a plain-text e-mail: paragraphs, line breaks and links, everything escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(f"<p>{_linkify(html.escape(p)).replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs)
    return LAYOUT.format(lang=html.escape(language), title=html.escape(subject), body=body)


def _linkify(escaped: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


class _TextOf(HTMLParser):
    _BREAKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        if tag in self._BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self._links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
        if tag in ("p", "div", "h1", "h2", "h3", "h4", "table"):
            self.parts.append("\n")
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and href.startswith(("http://", "https://", "mailto:")) and href not in self.parts[-1:]:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def text_from_html(markup: str) -> str:
    """The plain-text part of an HTML e-mail: its text, paragraphs kept, links written out."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
