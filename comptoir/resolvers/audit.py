"""Resolvers of the audit log: the seller's entries (a customer's own actions), archives, archived entries."""

from __future__ import annotations

import itertools

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.audit import service
from comptoir.database.pagination import Page, SortDirection
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.schema.audit import AuditArchive, AuditEntry, AuditLogFilterInput, AuditLogSortInput
from comptoir.schema.base import Connection, page_request
from comptoir.schema.ids import decode_id, decode_optional_id
from comptoir.tenancy.context import Role


def _filter(given: AuditLogFilterInput | None) -> service.AuditFilter:
    if given is None:
        return service.AuditFilter()
    return service.AuditFilter(
        object_type=given.object_type, object_id=given.object_id, action=given.action, actor_role=given.actor_role,
        actor_user_id=decode_optional_id(given.actor_user_id, "User", field="actorUserId"), source=given.source,
        operation=given.operation, since=given.since, until=given.until)


async def audit_log(info: Info, first: int | None = None, after: str | None = None,
                    filter: AuditLogFilterInput | None = None,
                    sort: AuditLogSortInput | None = None) -> Connection[AuditEntry]:
    sort = sort or AuditLogSortInput()
    request = page_request(info, first, after, sort.direction)
    tenant = info.context.tenant
    customer_id = tenant.customer_id if tenant.role is Role.CUSTOMER else None
    where = _filter(filter)

    def load(session: Session) -> Connection[AuditEntry]:
        page = service.list_page(session, seller_id=tenant.seller_id, customer_id=customer_id, where=where,
                                 page=request)
        return Connection[AuditEntry].from_page(page, AuditEntry.from_model)
    return await info.context.run(load)


async def audit_archives(info: Info, first: int | None = None, after: str | None = None) -> Connection[AuditArchive]:
    request = page_request(info, first, after, SortDirection.DESC)
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> Connection[AuditArchive]:
        page = service.list_archives(session, seller_id=seller_id, page=request)
        return Connection[AuditArchive].from_page(page, AuditArchive.from_model)
    return await info.context.run(load)


async def audit_archive_entries(info: Info, id: strawberry.ID, first: int | None = None,
                                after: str | None = None) -> Connection[AuditEntry]:
    """The entries of one archive, read back from its file (checksum verified), in their order."""
    request = page_request(info, first, None, SortDirection.ASC)
    start = _offset(after)
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> Connection[AuditEntry]:
        rows = service.read_archive(session, seller_id=seller_id, archive_id=decode_id(id, "AuditArchive"))
        window = list(itertools.islice(rows, start, start + request.first + 1))
        shown = window[: request.first]
        page = Page(shown, [str(start + index + 1) for index in range(len(shown))],
                    len(window) > request.first, start > 0, None)
        return Connection[AuditEntry].from_page(page, AuditEntry.from_json)
    return await info.context.run(load)


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    if not after.isdigit() or len(after) > 9:
        raise DomainError(CommonErrorCode.INVALID, "Invalid cursor.", field="after")
    return int(after)
