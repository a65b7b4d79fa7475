"""Resolvers for a seller's customers."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.schema.base import Connection, page_request
from comptoir.schema.customers import Customer, CustomerFilterInput, CustomerSortInput
from comptoir.tenancy import customers


async def customers_connection(
    info: Info, first: int | None = None, after: str | None = None,
    filter: CustomerFilterInput | None = None, sort: CustomerSortInput | None = None,
) -> Connection[Customer]:
    sort = sort or CustomerSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    service_filter = customers.CustomerFilter(
        status=filter.status.value if filter and filter.status else None, search=filter.search if filter else None)

    def load(session: Session) -> Connection[Customer]:
        page = customers.list_page(session, seller_id=seller_id, filter_=service_filter, page=request,
                                   sort=sort.field)
        return Connection[Customer].from_page(page, Customer.from_model)

    return await info.context.run(load)


async def load_customer(info: Info, customer_id: uuid.UUID) -> Customer | None:
    return await info.context.loaders.customers.load(customer_id)  # type: ignore[no-any-return]
