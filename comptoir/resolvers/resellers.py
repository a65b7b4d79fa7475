"""Resolvers for the provider's resellers and a reseller's own resources."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.schema.base import Connection, mutate, page_request, selects
from comptoir.schema.context import Context
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


def build_resellers(session: Session, sellers: Sequence[SellerModel]) -> list[Reseller]:
    """Reseller objects; their allocations come from the operation's loader, for all of them in one batch."""
    loaders = Context.of(session).loaders
    return [Reseller.from_model(seller, loaders) for seller in sellers]


async def resellers_connection(
    info: Info, first: int | None = None, after: str | None = None,
    filter: ResellerFilterInput | None = None, sort: ResellerSortInput | None = None,
) -> Connection[Reseller]:
    sort = sort or ResellerSortInput()
    request = page_request(info, first, after, sort.direction)
    service_filter = resellers.ResellerFilter(
        status=filter.status.value if filter and filter.status else None, search=filter.search if filter else None)
    page = await info.context.run(lambda s: resellers.list_page(s, filter_=service_filter, page=request,
                                                                  sort=sort.field))
    loaders = info.context.loaders
    if page.items and selects(info, "edges", "node", "allocation"):
        # Loaded before the objects are built, so they hold plain values (see dataloaders.value_or_later).
        await loaders.reseller_allocations.warm([seller.id for seller in page.items])
    return Connection[Reseller].from_page(page, lambda seller: Reseller.from_model(seller, loaders))


async def load_reseller(info: Info, reseller_id: uuid.UUID) -> Reseller | None:
    seller = await info.context.loaders.sellers.load(reseller_id)
    if seller is None or seller.kind != "reseller":
        return None
    return Reseller.from_model(seller, info.context.loaders)


async def reseller(info: Info, id: strawberry.ID) -> Reseller | None:
    try:
        return await load_reseller(info, decode_id(id, "Reseller"))
    except DomainError:
        return None


async def my_resources(info: Info) -> ResellerAllocation | None:
    """The reseller's own allocation: allocated, used, remaining, permissions."""
    return await info.context.loaders.reseller_allocations.load(  # type: ignore[no-any-return]
        info.context.tenant.seller_id)


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
