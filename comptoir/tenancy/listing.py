"""Helpers for list filters shared by the tenancy listings."""

from __future__ import annotations

LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its own % and _ taken literally (use escape=LIKE_ESCAPE)."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
