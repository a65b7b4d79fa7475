"""Shared GraphQL building blocks: Node, connections, user errors, the mutation runner."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from comptoir.database.pagination import Page, PageRequest, SortDirection
from comptoir.errors import DomainError
from comptoir.settings import get_settings

NodeT = TypeVar("NodeT")
T = TypeVar("T")


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(description="Number of items matching the filter.")

    @classmethod
    def from_page(cls, page: Page[Any], convert: Callable[[Any], NodeT]) -> Connection[NodeT]:
        edges = [Edge(cursor=c, node=convert(item)) for c, item in zip(page.cursors, page.items, strict=True)]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
        )


SortDirectionEnum = strawberry.enum(SortDirection, name="SortDirection")


def page_request(info: Info, first: int | None, after: str | None, direction: SortDirection) -> PageRequest:
    """Clamp the page size to the maximum; count the total only when the client asked for it."""
    limit = get_settings().max_page_size
    size = limit if first is None else max(0, min(first, limit))
    wants_total = selects(info, "totalCount")
    return PageRequest(first=size, after=after, direction=direction, with_total=wants_total)


def selects(info: Info, *path: str) -> bool:
    """Whether the client selected `path` under the current field (fragments included)."""
    selections = info.selected_fields[0].selections
    for name in path:
        found = _find(selections, name)
        if found is None:
            return False
        selections = found.selections
    return True


def _find(selections: list[Any], name: str) -> Any:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return selection
        else:  # fragment spread or inline fragment
            inner = _find(selection.selections, name)
            if inner is not None:
                return inner
    return None


@strawberry.interface(description="An expected failure, returned as data: which input field, what code, why.")
class UserError:
    field: str | None
    message: str


def convert_error(error: DomainError, error_type: type[Any], code_enum: type[enum.Enum]) -> Any:
    """Map a domain error onto the payload's error type; codes of shared kinds map by name."""
    code = error.code if isinstance(error.code, code_enum) else code_enum.__members__.get(
        error.code.name, code_enum.__members__["INVALID"])
    return error_type(field=error.field, message=error.message, code=code)


async def run_mutation(info: Info, work: Callable[[Session], T], *, keep_changes_on_error: bool = False
                       ) -> T | DomainError:
    """Run a service in a savepoint: on a domain error nothing it wrote remains, and the error is returned.

    keep_changes_on_error: for the few operations whose failure must itself be recorded (log-in
    attempts counted by the rate limiter).
    """
    context = info.context
    assert context.session is not None
    async with context.lock:
        if keep_changes_on_error:
            try:
                return await context.session.run_sync(work)
            except DomainError as error:
                return error
        try:
            async with context.session.begin_nested():
                return await context.session.run_sync(work)
        except DomainError as error:
            return error
