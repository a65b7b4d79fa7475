"""The shipped e-mail templates: one file per template, one section per language (docs/emails.md).

`comptoir/messaging/defaults/<name>.toml` declares the template's variables, sample values for
previews, and per language a subject and a plain-text body (an HTML body is optional: without one the
HTML part is made from the text). A template may also be declared in code, in `DEFAULTS` below, as
`Template(subject, body, variables)` per language: such an entry wins over a file of the same name.
Templates run in the sandbox of comptoir.messaging.sandbox, with only their declared variables.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comptoir.messaging import sandbox

SHIPPED_LANGUAGES = ("en", "fr", "de", "es", "ru")
FALLBACK_LANGUAGE = "en"
DEFAULTS_DIRECTORY = Path(__file__).parent / "defaults"
# Every template may also use these; enqueue fills them from the seller.
COMMON_VARIABLES = frozenset({"seller_name", "seller_email"})
COMMON_SAMPLE = {"seller_name": "Example Hosting", "seller_email": "billing@example.test"}


@dataclass(frozen=True)
class Template:
    subject: str
    body: str  # the plain-text part
    variables: frozenset[str]
    html: str = ""  # empty: the HTML part is made from the text
    sample: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> frozenset[str]:
        return self.variables | COMMON_VARIABLES


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


# Templates declared in code (language -> Template); the shipped files fill in every other name.
DEFAULTS: dict[str, dict[str, Template]] = {}


def _load_file(path: Path) -> dict[str, Template]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    variables = frozenset(data["variables"])
    sample = data.get("sample", {})
    return {language: Template(section["subject"], section.get("text", ""), variables,
                               section.get("html", ""), sample)
            for language, section in data.items() if isinstance(section, dict) and "subject" in section}


def load_shipped() -> dict[str, dict[str, Template]]:
    return {path.stem: _load_file(path) for path in sorted(DEFAULTS_DIRECTORY.glob("*.toml"))}


for _name, _languages in load_shipped().items():
    DEFAULTS.setdefault(_name, _languages)


def names() -> list[str]:
    return sorted(DEFAULTS)


def language_candidates(language: str) -> list[str]:
    """`fr_CH` -> fr_CH, fr, en: the most specific shipped first, English last."""
    normalized = language.replace("-", "_")
    return list(dict.fromkeys([normalized, normalized.split("_")[0].lower(), FALLBACK_LANGUAGE]))


def default(template_name: str, language: str) -> Template:
    """The shipped template in `language`, or in English; KeyError for a template nobody declared."""
    by_language = DEFAULTS[template_name]
    for candidate in language_candidates(language):
        if candidate in by_language:
            return by_language[candidate]
    return next(iter(by_language.values()))


def sample_variables(template_name: str) -> dict[str, Any]:
    """Values a preview renders with: the file's samples, else each variable's own name in brackets."""
    template = default(template_name, FALLBACK_LANGUAGE)
    return {**{name: f"[{name}]" for name in template.variables}, **COMMON_SAMPLE, **template.sample}


def render_email(template: Template, variables: Mapping[str, Any], *, language: str) -> RenderedEmail:
    """Subject, text and HTML of `template` with its declared variables only (others are dropped)."""
    allowed = {k: v for k, v in variables.items() if k in template.allowed}
    subject = " ".join(sandbox.render_text(template.subject, allowed).split())
    html = sandbox.render_html(template.html, allowed) if template.html else ""
    text = sandbox.render_text(template.body, allowed) if template.body else sandbox.text_from_html(html)
    if not html:
        html = sandbox.html_from_text(text, subject=subject, language=language)
    return RenderedEmail(subject=subject, text=text, html=html)


def render(template_name: str, language: str, variables: dict[str, object]) -> tuple[str, str]:
    """Subject and plain-text body of the shipped template in `language` (falling back to English)."""
    rendered = render_email(default(template_name, language), variables, language=language)
    return rendered.subject, rendered.text


@functools.cache
def placeholders(source: str) -> frozenset[str]:
    """The variables a template text reads (for the catalog completeness test)."""
    return frozenset(re.findall(r"{{-?\s*([a-z_][a-z0-9_]*)", source)) | frozenset(
        re.findall(r"{%-?\s*(?:if|elif|for \w+ in)\s+([a-z_][a-z0-9_]*)", source))
