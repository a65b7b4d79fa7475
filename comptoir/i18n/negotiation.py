"""Which locale a reader gets: the one rule every message, e-mail and document follows."""

from __future__ import annotations

from contextvars import ContextVar

from babel import Locale, UnknownLocaleError

SHIPPED = ("en", "fr", "de", "es", "ru")
DEFAULT = "en"


def normalize(tag: str | None) -> str | None:
    """A locale Babel knows, in Babel's spelling (`fr-ch` -> `fr_CH`), or None."""
    if not tag or not tag.strip() or tag.strip() == "*":
        return None
    try:
        return str(Locale.parse(tag.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def shipped_language(locale: str) -> str | None:
    language = locale.split("_")[0]
    return language if language in SHIPPED else None


def accept_language(header: str | None) -> list[str]:
    """The header's locales, most wanted first (q=0 dropped; ties keep the header's order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        locale = normalize(tag)
        if locale and quality > 0:
            ranked.append((-quality, position, locale))
    return [locale for _, _, locale in sorted(ranked)]


def resolve_locale(*, explicit: str | None = None, user: str | None = None, accept: str | None = None,
                   store: str | None = None, seller: str | None = None) -> str:
    """Explicit argument > the user's preference > Accept-Language > the store's language > the seller's
    default > English. Only a locale whose language is shipped is taken (a regional variant keeps its
    region for formatting: `fr_CH`)."""
    candidates = [explicit, user, *accept_language(accept), store, seller]
    for candidate in candidates:
        locale = normalize(candidate) if candidate else None
        if locale and shipped_language(locale):
            return locale
    return DEFAULT


# The locale of the request being served (Accept-Language, set when the request's context is made);
# what a message built without a better-informed locale uses.
REQUEST_LOCALE: ContextVar[str] = ContextVar("comptoir_request_locale", default=DEFAULT)
