"""Resolvers for the customer operations of the hosting side (SPEC §4.8)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import under
from comptoir.hosting import (
    customer_accounts,
    subscriptions,
)
from comptoir.schema.base import (
    Outcome,
    mutate,
    mutate_each,
)
from comptoir.schema.customers import Customer
from comptoir.schema.hosting import HostingError
from comptoir.schema.hosting_api import (
    CustomerContactInput,
    CustomerCreateInput,
    CustomerLoginChangeInput,
    CustomerLoginChangePayload,
    CustomerOperationInput,
    CustomerPayload,
    CustomerResult,
    CustomerSelectionInput,
    CustomersPayload,
)
from comptoir.schema.ids import decode_id, decode_optional_id, encode_id
from comptoir.tenancy import customers
from comptoir.tenancy.models import Customer as CustomerModel

# ---- customers -----------------------------------------------------------------------------

def _contact(data: CustomerContactInput | None) -> customer_accounts.ContactDetails:
    if data is None:
        return customer_accounts.ContactDetails()
    return customer_accounts.ContactDetails(**{f.name: getattr(data, f.name)
                                               for f in dataclasses.fields(customer_accounts.ContactDetails)})


async def _load_customer(info: Info, customer_id: uuid.UUID) -> Customer | None:
    row = await info.context.run(lambda s: s.get(CustomerModel, customer_id))
    return Customer.from_model(row) if row else None


async def customer_create(info: Info, input: CustomerCreateInput) -> CustomerPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> CustomerModel:
        first = None
        if input.subscription is not None:
            sub = input.subscription
            with under("subscription"):
                first = subscriptions.NewSubscription(
                    domain_name=sub.domain_name, system_login=sub.system_login, system_password=sub.system_password,
                    ip_pool_id=decode_id(sub.ip_pool_entry_id, "IpPoolEntry", field="ipPoolEntryId"),
                    plan_id=decode_optional_id(sub.plan_id, "Plan", field="planId"),
                    addon_ids=tuple(decode_id(a, "Plan", field="addonIds") for a in sub.addon_ids))
        return customer_accounts.create(session=session, seller_id=seller_id, contact=_contact(input.contact),
                                        username=input.username, password=input.password, first_subscription=first)

    return await mutate(info, CustomerPayload, work, lambda row: _customer_payload(info, row.id))


async def _customer_payload(info: Info, customer_id: uuid.UUID) -> CustomerPayload:
    return CustomerPayload(customer=await _load_customer(info, customer_id))


async def customer_update(info: Info, input: CustomerOperationInput) -> CustomerPayload:
    return await mutate(info, CustomerPayload, lambda s: customer_accounts.update_contact(
        session=s, customer_id=decode_id(input.id, "Customer"), contact=_contact(input.contact)),
        lambda row: _customer_payload(info, row.id))


async def customer_login_change(info: Info, input: CustomerLoginChangeInput) -> CustomerLoginChangePayload:
    async def done(row: CustomerModel) -> CustomerLoginChangePayload:
        return CustomerLoginChangePayload(customer=await _load_customer(info, row.id), customer_notified=False)

    return await mutate(info, CustomerLoginChangePayload, lambda s: customer_accounts.change_login(
        session=s, customer_id=decode_id(input.id, "Customer"), username=input.username, password=input.password), done)


async def _customers_each(info: Info, ids: Sequence[strawberry.ID],
                          operation: Callable[[Session, uuid.UUID], Any]) -> CustomersPayload:
    async def done(outcomes: list[Outcome[Any]]) -> CustomersPayload:
        results = []
        for outcome in outcomes:
            customer = None
            if isinstance(outcome.result, uuid.UUID):
                customer = await _load_customer(info, outcome.result)
            elif outcome.result is not None:
                customer = Customer.from_model(outcome.result)
            results.append(CustomerResult(id=outcome.id, customer=customer, errors=outcome.errors(HostingError)))
        return CustomersPayload(results=results)

    return await mutate_each(info, CustomersPayload, ids, lambda s, gid: operation(s, decode_id(gid, "Customer")),
                             done)


async def _selected(info: Info, selection: CustomerSelectionInput) -> list[strawberry.ID]:
    """The ids given plus every customer matching the filter (bulk operations by status filter)."""
    ids = list(selection.ids)
    if selection.filter is not None:
        seller_id = info.context.tenant.seller_id
        status = selection.filter.status.value if selection.filter.status else None

        def matching(session: Session) -> list[uuid.UUID]:
            return customers.matching_ids(session, seller_id=seller_id, filter_=customers.CustomerFilter(
                status=status, search=selection.filter.search))

        ids += [strawberry.ID(encode_id("Customer", i)) for i in await info.context.run(matching)]
    return list(dict.fromkeys(ids))


async def customer_suspend(info: Info, input: CustomerSelectionInput) -> CustomersPayload:
    return await _customers_each(info, await _selected(info, input),
                                 lambda s, i: customer_accounts.suspend(session=s, customer_id=i))


async def customer_activate(info: Info, input: CustomerSelectionInput) -> CustomersPayload:
    return await _customers_each(info, await _selected(info, input),
                                 lambda s, i: customer_accounts.activate(session=s, customer_id=i))


async def customer_delete(info: Info, input: CustomerSelectionInput) -> CustomersPayload:
    return await _customers_each(info, await _selected(info, input), lambda s, i: customer_accounts.delete(
        session=s, customer_id=i, confirm=input.confirm))
