"""Web links a seller configures (logo link, custom buttons): absolute http or https URLs only."""

from __future__ import annotations

import enum
from urllib.parse import urlsplit

from comptoir.errors import DomainError

MAX_URL_LENGTH = 2048


def check_web_url(url: str, *, code: enum.Enum, field: str) -> str:
    """An absolute http(s) URL with a host; refuses javascript:, data:, relative links, control characters."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise DomainError(code, f"Use at most {MAX_URL_LENGTH} characters.", field=field)
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        raise DomainError(code, "A URL may not contain spaces or control characters.", field=field)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what refuses a malformed one
    except ValueError:
        raise DomainError(code, "This is not a valid URL.", field=field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise DomainError(code, "Give an absolute http:// or https:// address.", field=field)
    return url
