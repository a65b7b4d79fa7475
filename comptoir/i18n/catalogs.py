"""The gettext catalogs: extract (to locales/comptoir.pot), update the .po files, compile the .mo files,
and the translations of a locale for the running process.

Only the .po files are committed. `translations()` compiles a missing or stale .mo on first use, so an
editable install, a wheel built from the sources and CI all work offline without a build step;
`make i18n` runs the three steps by hand (`python -m comptoir.i18n.catalogs extract update compile`).
"""

from __future__ import annotations

import enum
import functools
import gettext
import importlib
import io
import pkgutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from comptoir.i18n.negotiation import DEFAULT, SHIPPED

DOMAIN = "comptoir"
HERE = Path(__file__).parent
LOCALES = HERE / "locales"
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
ROOT = HERE.parent.parent
# Calls whose second argument is a user-facing message (the error classes), besides gettext's own.
KEYWORDS = {"_": None, "gettext": None, "N_": None, "DomainError": (2,), "AgentError": (2,),
            "SkeletonError": (2,), "StorefrontError": (2,), "TemplateRefused": (2,)}
_lock = threading.Lock()


def _method_map() -> list[tuple[str, str]]:
    lines = (HERE / "babel.cfg").read_text().splitlines()
    return [tuple(line.strip("[]").split(": ", 1)[::-1]) for line in lines  # type: ignore[misc]
            if line.startswith("[")]


def _covered_modules() -> list[str]:
    """The modules babel.cfg names, as import paths."""
    found = []
    for pattern, _ in _method_map():
        base = pattern.split("**")[0].rstrip("/")
        if base.endswith(".py"):
            found.append(base[:-3].replace("/", "."))
            continue
        package = importlib.import_module(base.replace("/", "."))
        found.append(package.__name__)
        found += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return found


def default_messages() -> Iterator[tuple[str, str]]:
    """The message of every error code declared in a covered module (DomainError's default text)."""
    from comptoir.errors import ErrorCode

    modules = _covered_modules()
    for name in modules:
        importlib.import_module(name)
    pending = list(ErrorCode.__subclasses__())
    while pending:
        codes = pending.pop()
        pending += codes.__subclasses__()
        if codes.__module__ in modules:
            for member in codes:
                yield _default_text(member), f"{codes.__module__}:{codes.__qualname__}.{member.name}"


def _default_text(code: enum.Enum) -> str:
    return code.name.replace("_", " ").capitalize()


def extract(*, write: bool = True) -> Catalog:
    catalog = Catalog(project="Comptoir", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map=_method_map(), keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for message, origin in default_messages():
        catalog.add(message, None, [(origin, 0)])
    if write:
        with TEMPLATE.open("wb") as out:
            write_po(out, catalog, width=110, sort_output=True, omit_header=False)
    return catalog


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def update() -> None:
    with TEMPLATE.open("rb") as source:
        template = read_po(source)
    for language in SHIPPED:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalog(language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, update_header_comment=False)
        if language == DEFAULT:  # English is the source language: msgstr = msgid
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        with path.open("wb") as out:
            write_po(out, catalog, width=110, sort_output=True, ignore_obsolete=True)


def compile_catalog(language: str) -> Path:
    source = po_path(language)
    target = source.with_suffix(".mo")
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        catalog = read_catalog(language)
        partial = target.with_suffix(".mo.tmp")
        with partial.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        partial.replace(target)
    return target


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a shipped language (English: the messages as written)."""
    if language not in SHIPPED or language == DEFAULT:
        return gettext.NullTranslations()
    try:
        with _lock:
            path = compile_catalog(language)
        with path.open("rb") as source:
            return gettext.GNUTranslations(source)
    except OSError:  # an installed package may be read-only: compile in memory
        compiled = io.BytesIO()
        write_mo(compiled, read_catalog(language), use_fuzzy=False)
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)


def translate(message: str, locale: str, params: dict[str, object] | None = None) -> str:
    """`message` in `locale`'s language (the message itself when no translation exists), formatted."""
    translated = translations(locale.split("_")[0]).gettext(message) if message else message
    return translated % params if params else translated


def main(steps: list[str]) -> None:
    for step in steps or ["extract", "update", "compile"]:
        if step == "extract":
            extract()
        elif step == "update":
            update()
        elif step == "compile":
            for language in SHIPPED:
                compile_catalog(language)
        else:
            raise SystemExit(f"unknown step {step}: extract, update, compile")


if __name__ == "__main__":
    main(sys.argv[1:])
