"""Resolvers for the provider's resellers and a reseller's own resources."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.hosting import allocation_usage
from comptoir.schema.base import Connection, mutate, page_request, selects
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.resellers import (
    OversellingPolicySetInput,
    OversellingPolicySetPayload,
    Reseller,
    ResellerAllocation,
    ResellerCreateInput,
    ResellerDeletePayload,
    ResellerFilterInput,
    ResellerIdInput,
    ResellerPayload,
    ResellerSortInput,
    ResellerUpdateInput,
)
from comptoir.tenancy import resellers
from comptoir.tenancy.models import Seller as SellerModel


def build_resellers(session: Session, sellers: Sequence[SellerModel], *, with_allocation: bool) -> list[Reseller]:
    """Reseller objects for a page: allocations and usage in two queries, whatever the page size."""
    if not with_allocation:
        return [Reseller.from_model(seller) for seller in sellers]
    ids = [seller.id for seller in sellers]
    allocations = resellers.allocations_for(session, ids)
    reports = allocation_usage.reports_for(session, allocations)
    return [
        Reseller.from_model(seller, ResellerAllocation.from_model(allocations[seller.id], reports[seller.id])
                            if seller.id in allocations else None)
        for seller in sellers
    ]


async def resellers_connection(
    info: Info, first: int | None = None, after: str | None = None,
    filter: ResellerFilterInput | None = None, sort: ResellerSortInput | None = None,
) -> Connection[Reseller]:
    sort = sort or ResellerSortInput()
    request = page_request(info, first, after, sort.direction)
    service_filter = resellers.ResellerFilter(
        status=filter.status.value if filter and filter.status else None, search=filter.search if filter else None)
    with_allocation = selects(info, "edges", "node", "allocation")

    def load(session: Session) -> Connection[Reseller]:
        page = resellers.list_page(session, filter_=service_filter, page=request, sort=sort.field)
        built = iter(build_resellers(session, page.items, with_allocation=with_allocation))
        return Connection[Reseller].from_page(page, lambda _: next(built))

    return await info.context.run(load)


async def load_reseller(info: Info, reseller_id: uuid.UUID) -> Reseller | None:
    def load(session: Session) -> Reseller | None:
        seller = session.get(SellerModel, reseller_id)
        if seller is None or seller.kind != "reseller":
            return None
        return build_resellers(session, [seller], with_allocation=True)[0]

    return await info.context.run(load)


async def reseller(info: Info, id: strawberry.ID) -> Reseller | None:
    try:
        return await load_reseller(info, decode_id(id, "Reseller"))
    except DomainError:
        return None


async def my_resources(info: Info) -> ResellerAllocation | None:
    """The reseller's own allocation: allocated, used, remaining, permissions."""
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> ResellerAllocation | None:
        allocation = resellers.allocations_for(session, [seller_id]).get(seller_id)
        if allocation is None:
            return None
        return ResellerAllocation.from_model(allocation, allocation_usage.reports_for(
            session, {seller_id: allocation})[seller_id])

    return await info.context.run(load)


async def _reseller_payload(info: Info, work: Callable[[Session], SellerModel]) -> ResellerPayload:
    async def done(seller: SellerModel) -> ResellerPayload:
        return ResellerPayload(reseller=await load_reseller(info, seller.id))

    return await mutate(info, ResellerPayload, work, done)


def _limits(items):  # type: ignore[no-untyped-def]
    return None if items is None else [(item.resource, item.limit) for item in items]


async def reseller_create(info: Info, input: ResellerCreateInput) -> ResellerPayload:
    admin = resellers.ResellerAdmin(username=input.administrator.username, password=input.administrator.password,
                                    email=input.administrator.email, full_name=input.administrator.full_name)
    return await _reseller_payload(info, lambda s: resellers.create(
        s, name=input.name, admin=admin, email=input.email, company_name=input.company_name,
        country=input.country, locale=input.language, limits=_limits(input.limits),
        permissions=input.permissions, overselling_allowed=input.overselling_allowed))


async def reseller_update(info: Info, input: ResellerUpdateInput) -> ResellerPayload:
    return await _reseller_payload(info, lambda s: resellers.update(
        s, reseller_id=decode_id(input.id, "Reseller"), name=input.name, email=input.email,
        company_name=input.company_name, country=input.country, limits=_limits(input.limits),
        permissions=input.permissions, overselling_allowed=input.overselling_allowed))


async def reseller_suspend(info: Info, input: ResellerIdInput) -> ResellerPayload:
    return await _reseller_payload(info, lambda s: resellers.set_status(
        s, reseller_id=decode_id(input.id, "Reseller"), status="suspended"))


async def reseller_activate(info: Info, input: ResellerIdInput) -> ResellerPayload:
    return await _reseller_payload(info, lambda s: resellers.set_status(
        s, reseller_id=decode_id(input.id, "Reseller"), status="active"))


async def reseller_delete(info: Info, input: ResellerIdInput) -> ResellerDeletePayload:
    return await mutate(
        info, ResellerDeletePayload, lambda s: resellers.delete(s, reseller_id=decode_id(input.id, "Reseller")),
        lambda deleted: ResellerDeletePayload(deleted_id=strawberry.ID(encode_id("Reseller", deleted))))


async def overselling_policy_set(info: Info, input: OversellingPolicySetInput) -> OversellingPolicySetPayload:
    seller_id = info.context.tenant.seller_id
    async def done(_: object) -> OversellingPolicySetPayload:
        return OversellingPolicySetPayload(allocation=await my_resources(info))

    return await mutate(info, OversellingPolicySetPayload, lambda s: resellers.set_own_overselling_policy(
        s, seller_id=seller_id, allowed=input.allowed), done)
