"""Shared GraphQL building blocks: Node, connections, and the one path from domain errors to payload errors.

A mutation resolver calls `mutate(info, Payload, work, done)`: the service runs in a savepoint, and a
domain error becomes the payload's `errors`, each code mapped by identity onto the payload's enum
(built by `error_code_enum`; `check_error_codes` refuses a schema a domain code cannot reach).
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from comptoir.audit import recorder
from comptoir.database.pagination import Page, PageRequest, SortDirection
from comptoir.errors import CommonErrorCode, DomainError, ErrorCode
from comptoir.i18n.catalogs import translate
from comptoir.i18n.negotiation import REQUEST_LOCALE, resolve_locale
from comptoir.settings import get_settings
from comptoir.tenancy.models import Seller, User

NodeT = TypeVar("NodeT")
T = TypeVar("T")
P = TypeVar("P")
E = TypeVar("E")


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
    field: str | None = strawberry.field(
        description="The input path of the refused value (`contact.email`, `ids`); null: the input as a whole.")
    message: str


# Schema error enum -> {domain code -> schema member}: keyed by the domain member itself, never its name.
_CODE_MAPS: dict[type[enum.Enum], dict[enum.Enum, enum.Enum]] = {}


def error_code_enum(name: str, *domains: type[ErrorCode], description: str | None = None) -> Any:
    """A schema enum carrying every code of `domains` (and the common codes) under its own name.

    A name two domains share (NOT_FOUND) is one member; each domain member maps to it by identity.
    """
    sources = (*domains, CommonErrorCode)
    names = dict.fromkeys(member.name for domain in sources for member in domain)
    schema_enum = enum.Enum(name, {member: member.lower() for member in names})  # type: ignore[misc]
    _CODE_MAPS[schema_enum] = {member: schema_enum[member.name] for domain in sources for member in domain}
    return strawberry.enum(schema_enum, name=name, description=description)


def check_error_codes() -> None:
    """Refuse to build the schema while a domain error code reaches no schema enum."""
    covered = {type(code) for codes in _CODE_MAPS.values() for code in codes}
    missing = [domain.__qualname__ for domain in _domain_code_enums() if domain not in covered]
    if missing:
        raise TypeError(f"error codes with no GraphQL enum: {', '.join(sorted(missing))}")


def _domain_code_enums() -> list[type[ErrorCode]]:
    found, pending = [], list(ErrorCode.__subclasses__())
    while pending:
        domain = pending.pop()
        found.append(domain)
        pending.extend(domain.__subclasses__())
    return found


class UnmappedErrorCode(Exception):
    """A service raised a code the payload's enum does not carry: a programming error, not the client's."""


def _field_type(owner: type[Any], name: str) -> Any:
    definition = owner.__strawberry_definition__  # type: ignore[attr-defined]
    return next(f for f in definition.fields if f.python_name == name).type


@functools.cache
def _error_type_of(payload: type[Any]) -> type[Any]:
    return _field_type(payload, "errors").of_type  # type: ignore[no-any-return]


@functools.cache
def _code_map_of(error_type: type[Any]) -> dict[enum.Enum, enum.Enum]:
    return _CODE_MAPS[_field_type(error_type, "code").wrapped_cls]


def user_errors(error: DomainError, error_type: type[E], *, locale: str | None = None) -> list[E]:
    """The payload errors of a domain error: one per field it collected, each code as itself, each message
    in `locale` (default: the request's, from Accept-Language)."""
    codes = _code_map_of(error_type)
    language = locale or REQUEST_LOCALE.get()
    converted = []
    for item in error.errors:
        code = codes.get(item.code)
        if code is None:
            raise UnmappedErrorCode(f"{item.code!r} has no member in {error_type.__name__}'s code enum") from error
        message = translate(item.template, language, item.params)
        converted.append(error_type(field=item.field, message=message, code=code))
    return converted


def error_payload(payload: type[P], error: DomainError, *, locale: str | None = None) -> P:
    """A payload carrying only the errors (its other fields keep their null defaults)."""
    return payload(errors=user_errors(error, _error_type_of(payload), locale=locale))


async def reader_locale(info: Info) -> str:
    """The locale of the person asking: their preference, else Accept-Language, else their seller's."""
    context = info.context
    tenant = context.tenant
    if tenant is None or tenant.user_id is None:
        return resolve_locale(accept=context.accept_language)

    def load(session: Session) -> str:
        user = session.get(User, tenant.user_id)
        seller = session.get(Seller, tenant.seller_id)
        return resolve_locale(user=user.locale if user else None, accept=context.accept_language,
                              seller=seller.locale if seller else None)
    return await context.run(load)


async def mutate(info: Info, payload: type[P], work: Callable[[Session], T],
                 done: Callable[[T], P | Awaitable[P]], *, keep_changes_on_error: bool = False) -> P:
    """The one path of a mutation: run the service in a savepoint, then build the payload from its result,
    or the payload's errors from the domain error it raised."""
    result = await run_mutation(info, work, keep_changes_on_error=keep_changes_on_error)
    if isinstance(result, DomainError):
        return error_payload(payload, result, locale=await reader_locale(info))
    built = done(result)
    return await built if inspect.isawaitable(built) else built


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a bulk mutation did with one id: its result, or the domain error that undid it."""

    id: strawberry.ID
    result: T | None = None
    error: DomainError | None = None

    def errors(self, error_type: type[E]) -> list[E]:
        return [] if self.error is None else user_errors(self.error, error_type)


async def mutate_each(info: Info, payload: type[P], ids: Sequence[strawberry.ID],
                      work: Callable[[Session, strawberry.ID], T],
                      done: Callable[[list[Outcome[T]]], P | Awaitable[P]]) -> P:
    """The one path of a bulk mutation: too many ids are refused whole; otherwise each id runs in its own
    savepoint, so one refused id undoes only its own work, and `done` reports every id's outcome."""
    try:
        check_bulk(ids)
    except DomainError as error:
        return error_payload(payload, error)
    outcomes: list[Outcome[T]] = []
    with recorder.origin(operation=info.field_name):
        for global_id in ids:
            result = await run_mutation(info, lambda s, gid=global_id: work(s, gid))
            outcomes.append(Outcome(global_id, error=result) if isinstance(result, DomainError)
                            else Outcome(global_id, result=result))
    built = done(outcomes)
    return await built if inspect.isawaitable(built) else built


def check_bulk(ids: Sequence[Any], *, field: str = "ids") -> None:
    """Bulk inputs over the limit are refused whole: doing the first N silently would be a lie."""
    limit = get_settings().max_bulk_ids
    if len(ids) > limit:
        raise DomainError(CommonErrorCode.TOO_MANY, f"Give at most {limit} ids at once ({len(ids)} given).",
                          field=field)


async def run_mutation(info: Info, work: Callable[[Session], T], *, keep_changes_on_error: bool = False
                       ) -> T | DomainError:
    """Run a service in a savepoint: on a domain error nothing it wrote remains, and the error is returned.

    keep_changes_on_error: for the few operations whose failure must itself be recorded (log-in
    attempts counted by the rate limiter).
    """
    context = info.context
    assert context.session is not None
    async with context.lock:
        with recorder.origin(operation=info.field_name):
            before = recorder.recorded(context.session.sync_session)
            result = await _run_in_savepoint(context.session, work, keep_changes_on_error)
            if not isinstance(result, DomainError) and recorder.recorded(context.session.sync_session) == before:
                await context.session.run_sync(lambda s: recorder.record_operation(s, info.field_name))
        return result


async def _run_in_savepoint(session: Any, work: Callable[[Session], T], keep_changes_on_error: bool
                            ) -> T | DomainError:
    if keep_changes_on_error:
        try:
            return await session.run_sync(work)
        except DomainError as error:
            return error
    try:
        async with session.begin_nested():
            return await session.run_sync(work)
    except DomainError as error:
        return error
