"""Fixed-width fields and the character sets of bank files (transliteration, padding, truncation)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from comptoir.billing.bankfiles.model import BankFileError, BankFileErrorCode


def strip_accents(text: str, *, keep: str = "") -> str:
    """`é` → `e`, `Ç` → `C`; characters in `keep` stay as they are."""
    out = []
    for char in text:
        if char in keep:
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def restrict(text: str, allowed: Callable[[str], bool]) -> str:
    """Every character `allowed` refuses becomes a space; runs of spaces collapse; ends trimmed."""
    return " ".join("".join(c if allowed(c) else " " for c in text).split())


def alpha(value: str, length: int) -> str:
    """Alphanumeric field: left-aligned, padded with spaces, truncated to `length`."""
    return value[:length].ljust(length)


def numeric(value: int | str, length: int, *, field: str) -> str:
    """Numeric field: right-aligned, zero-padded; a value that does not fit is an error, never cut."""
    text = str(value)
    if not text.isdigit() or len(text) > length:
        code = BankFileErrorCode.TOTAL_TOO_LARGE if text.isdigit() else BankFileErrorCode.INVALID_IDENTIFIER
        raise BankFileError(code, f"{text!r} does not fit a {length}-digit field", field=field)
    return text.rjust(length, "0")


def blanks(length: int) -> str:
    return " " * length


def check_record(record: str, length: int) -> str:
    assert len(record) == length, f"record of {len(record)} characters, want {length}: {record!r}"
    return record
