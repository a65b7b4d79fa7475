"""To-do items of a seller (SPEC §8 seller home): what needs a person. The order-to-provision flow
creates one when a step gives up (a worker, as system); staff list them and mark them done.

Creating is idempotent per kind and subject while the item is open (migration 0013's partial unique
index): a step retried, or two workers racing, leave one open item; once done, a new one may open.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from comptoir import clock
from comptoir.database.base import Base
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError

KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
SUBJECT_TYPE = re.compile(r"[A-Z][A-Za-z]{0,63}")
NO_SUBJECT = uuid.UUID(int=0)  # the index's stand-in for a seller-wide item (no subject); a literal, as in 0013


class TodoStatus(enum.Enum):
    OPEN = "open"
    DONE = "done"


class TodoItem(Base):
    __tablename__ = "todo_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    subject_type: Mapped[str] = mapped_column(server_default="")
    subject_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str]
    details: Mapped[str] = mapped_column(server_default="")
    status: Mapped[str] = mapped_column(server_default="open")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    done_at: Mapped[datetime | None]


class TodoSort(enum.Enum):
    CREATED_AT = "created_at"
    KIND = "kind"


SORT_COLUMNS = {TodoSort.CREATED_AT: TodoItem.created_at, TodoSort.KIND: TodoItem.kind}


@dataclass(frozen=True)
class Subject:
    """What an item is about, by GraphQL type name and id: an order ("Order", its id), a subscription..."""

    type: str
    id: uuid.UUID


@dataclass(frozen=True)
class NewTodo:
    kind: str = ""
    title: str = ""
    subject: Subject | None = None
    details: str = ""


def _open_item(session: Session, *, seller_id: uuid.UUID, kind: str, subject_id: uuid.UUID | None) -> TodoItem | None:
    subject = TodoItem.subject_id.is_(None) if subject_id is None else TodoItem.subject_id == subject_id
    return session.scalars(select(TodoItem).where(TodoItem.seller_id == seller_id, TodoItem.kind == kind, subject,
                                                  TodoItem.status == TodoStatus.OPEN.value)).one_or_none()


def _check(todo: NewTodo) -> None:
    if todo.subject is not None and not SUBJECT_TYPE.fullmatch(todo.subject.type):
        raise DomainError(CommonErrorCode.INVALID, "A subject type is a GraphQL type name.", field="subject")
    if not KIND.fullmatch(todo.kind):
        raise DomainError(CommonErrorCode.INVALID, "A kind is a short snake_case word.", field="kind")
    if not 1 <= len(todo.title) <= 255:
        raise DomainError(CommonErrorCode.INVALID, "A title has 1 to 255 characters.", field="title")
    if len(todo.details) > 10000:
        raise DomainError(CommonErrorCode.TOO_LONG, "Details have at most 10000 characters.", field="details")


def create(session: Session, *, seller_id: uuid.UUID, todo: NewTodo) -> TodoItem:
    """The open item of this kind and subject: the existing one, or a new one."""
    _check(todo)
    subject_id = todo.subject.id if todo.subject else None
    values: dict[str, Any] = {"seller_id": seller_id, "kind": todo.kind, "subject_id": subject_id,
                              "subject_type": todo.subject.type if todo.subject else "", "title": todo.title,
                              "details": todo.details, "created_at": clock.now()}
    # ON CONFLICT on the partial index: a concurrent creator of the same item waits, then does nothing.
    # Its expression and predicate are written as literals: a bound parameter (a prepared statement's
    # above all) matches no index when PostgreSQL infers the arbiter.
    session.execute(insert(TodoItem).values(**values).on_conflict_do_nothing(
        index_elements=[TodoItem.seller_id, TodoItem.kind, text(f"coalesce(subject_id, '{NO_SUBJECT}'::uuid)")],
        index_where=text("status = 'open'")))
    item = _open_item(session, seller_id=seller_id, kind=todo.kind, subject_id=subject_id)
    assert item is not None  # just inserted, or the open one that blocked the insert
    return item


def list_page(session: Session, *, seller_id: uuid.UUID, status: TodoStatus | None, page: PageRequest,
              sort: TodoSort = TodoSort.CREATED_AT) -> Page[TodoItem]:
    statement = select(TodoItem).where(TodoItem.seller_id == seller_id)
    if status is not None:
        statement = statement.where(TodoItem.status == status.value)
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=TodoItem.id)


def count_open(session: Session, *, seller_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(TodoItem).where(
        TodoItem.seller_id == seller_id, TodoItem.status == TodoStatus.OPEN.value)) or 0


def mark_done(session: Session, *, seller_id: uuid.UUID, item_id: uuid.UUID) -> TodoItem:
    """Done once; marking a done item again changes nothing (a double click is not an error)."""
    item = session.get(TodoItem, item_id, with_for_update=True)
    if item is None or item.seller_id != seller_id:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No to-do item with this id.", field="id")
    if item.status == TodoStatus.OPEN.value:
        item.status, item.done_at = TodoStatus.DONE.value, clock.now()
        session.flush()
    return item
