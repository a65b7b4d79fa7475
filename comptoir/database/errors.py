"""Reading PostgreSQL's own description of a failed statement."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError


def constraint_name(error: DBAPIError) -> str:
    """The violated constraint (also the one our definer triggers name when they raise)."""
    diag = getattr(error.orig, "diag", None)
    return (getattr(diag, "constraint_name", None) or "") if diag else ""
