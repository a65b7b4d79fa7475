"""Keyset pagination in SQL: (sort value, id) cursors, so page N costs what page 1 costs."""

from __future__ import annotations

import base64
import enum
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from comptoir.errors import CommonErrorCode, DomainError

T = TypeVar("T")


class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: str | None = None
    direction: SortDirection = SortDirection.ASC
    with_total: bool = True


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None


def encode_cursor(value: Any, row_id: uuid.UUID) -> str:
    plain = value.isoformat() if isinstance(value, (datetime, date)) else value
    raw = json.dumps([plain, str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, column: InstrumentedAttribute[Any]) -> tuple[Any, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        python_type = column.type.python_type
        if python_type in (datetime, date) and value is not None:
            value = python_type.fromisoformat(value)
        elif value is not None and not isinstance(value, python_type):
            raise TypeError(value)
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise ValueError(value)
        return value, uuid.UUID(row_id)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        raise DomainError(CommonErrorCode.INVALID, "Invalid cursor.", field="after") from None


def paginate(session: Session, statement: Select[Any], page: PageRequest, *,
             sort_column: InstrumentedAttribute[Any], id_column: InstrumentedAttribute[Any]) -> Page[Any]:
    """One statement for the page (+1 row to know if more follow) and, if asked, the total beside each row."""
    total_count = select(func.count()).select_from(statement.order_by(None).subquery()).scalar_subquery()
    keyset = tuple_(sort_column, id_column)
    descending = page.direction is SortDirection.DESC
    if page.after:
        value, row_id = decode_cursor(page.after, sort_column)
        bound = tuple_(value, row_id)
        statement = statement.where(keyset < bound if descending else keyset > bound)
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column.asc(), id_column.asc())
    statement = statement.order_by(*order).limit(page.first + 1)
    if page.with_total:
        # Uncorrelated, so PostgreSQL counts once per statement; the round trip of a second query is saved.
        statement = statement.add_columns(total_count.label("total_count"))
    fetched = session.execute(statement).all()
    total = _total(session, fetched, total_count, page) if page.with_total else None
    has_next = len(fetched) > page.first
    rows = [row[0] for row in fetched[: page.first]]
    sort_key, id_key = sort_column.key, id_column.key
    cursors = [encode_cursor(getattr(row, sort_key), getattr(row, id_key)) for row in rows]
    return Page(rows, cursors, has_next, page.after is not None, total)


def _total(session: Session, fetched: Sequence[Any], total_count: Any, page: PageRequest) -> int:
    if fetched:
        return int(fetched[0][-1])
    # An empty first page means an empty list; only an empty later page needs asking.
    return 0 if page.after is None else int(session.scalar(select(total_count)) or 0)
