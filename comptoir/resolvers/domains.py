"""Resolvers of registrar accounts, TLDs, domain plans and domains: parse, call one service, build."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.domains import availability, orders, plans, registrars, tlds
from comptoir.domains import service as domains
from comptoir.domains.models import Domain as DomainModel
from comptoir.domains.models import DomainPlan as DomainPlanModel
from comptoir.domains.models import RegistrarAccount as RegistrarAccountModel
from comptoir.errors import DomainError
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.domains import (
    Domain,
    DomainCheckResult,
    DomainFilterInput,
    DomainLockInput,
    DomainOperation,
    DomainPayload,
    DomainPlan,
    DomainPlanCreateInput,
    DomainPlanPayload,
    DomainPlanTldInput,
    DomainPlanUpdateInput,
    DomainRegisterInput,
    DomainRenewInput,
    DomainSetNameServersInput,
    DomainSortInput,
    DomainTransferInput,
    RegistrarAccount,
    RegistrarAccountCreateInput,
    RegistrarAccountIdInput,
    RegistrarAccountPayload,
    RegistrarAccountUpdateInput,
    Tld,
    TldAssignRegistrarInput,
    TldCreateInput,
    TldFilterInput,
    TldPayload,
)
from comptoir.schema.ids import decode_id
from comptoir.storefront import access
from comptoir.tenancy.context import Role


def _seller(info: Info) -> uuid.UUID:
    return info.context.tenant.seller_id  # type: ignore[no-any-return]


def _plan(session: Session, plan: DomainPlanModel) -> DomainPlan:
    return DomainPlan.from_model(plan, plans.prices_of(session, [plan.id])[plan.id])


# ---- queries -------------------------------------------------------------------------------------

async def registrar_accounts(info: Info) -> list[RegistrarAccount]:
    seller_id = _seller(info)
    return await info.context.run(lambda s: [RegistrarAccount.from_model(a)
                                             for a in registrars.list_all(s, seller_id=seller_id)])


async def tld_list(info: Info, filter: TldFilterInput | None = None) -> list[Tld]:
    seller_id = _seller(info)
    status = filter.status.value if filter and filter.status else None
    names = {name.strip().lower().lstrip(".") for name in filter.names} if filter and filter.names else None
    return await info.context.run(lambda s: [
        Tld.from_model(t) for t in tlds.list_all(s, seller_id=seller_id)
        if (status is None or t.status == status) and (names is None or t.name in names)])


async def domain_plans(info: Info) -> list[DomainPlan]:
    seller_id = _seller(info)

    def load(session: Session) -> list[DomainPlan]:
        rows = plans.list_all(session, seller_id=seller_id)
        prices = plans.prices_of(session, [row.id for row in rows])
        return [DomainPlan.from_model(row, prices[row.id]) for row in rows]
    return await info.context.run(load)


async def domain_list(info: Info, first: int | None = None, after: str | None = None,
                      filter: DomainFilterInput | None = None, sort: DomainSortInput | None = None
                      ) -> Connection[Domain]:
    sort = sort or DomainSortInput()
    request = page_request(info, first, after, sort.direction)
    tenant = info.context.tenant
    wanted = domains.DomainFilter(
        status=filter.status.value if filter and filter.status else None, search=filter.search if filter else None,
        customer_id=tenant.customer_id if tenant.role is Role.CUSTOMER else None)

    def load(session: Session) -> Connection[Domain]:
        page = domains.list_page(session, seller_id=tenant.seller_id, filter_=wanted, page=request,
                                 sort=domains.DomainSort(sort.field.value))
        return Connection[Domain].from_page(page, Domain.from_model)
    return await info.context.run(load)


async def domain_check(info: Info, store: str, name: str) -> DomainCheckResult | None:
    """Public: whether a store's seller can register `name` (its default registrar for the TLD answers)."""
    def read(session: Session) -> availability.Check | None:
        try:
            found = access.find_store(session, key=store)
        except DomainError:
            return None
        with access.visiting(session, found):
            return availability.check(session, seller_id=found.seller_id, name=name)
    found = await info.context.run(read)
    return None if found is None else DomainCheckResult.of(found)


async def load_domain(info: Info, domain_id: uuid.UUID) -> Domain | None:
    row = await info.context.run(lambda s: s.get(DomainModel, domain_id))
    return Domain.from_model(row) if row else None


async def load_registrar_account(info: Info, account_id: uuid.UUID) -> RegistrarAccount | None:
    row = await info.context.run(lambda s: s.get(RegistrarAccountModel, account_id))
    return RegistrarAccount.from_model(row) if row else None


# ---- mutations -----------------------------------------------------------------------------------

async def _account_payload(info: Info, work: Callable[[Session], RegistrarAccountModel]) -> RegistrarAccountPayload:
    return await mutate(info, RegistrarAccountPayload, lambda s: RegistrarAccount.from_model(work(s)),
                        lambda built: RegistrarAccountPayload(registrar_account=built))


async def registrar_account_create(info: Info, input: RegistrarAccountCreateInput) -> RegistrarAccountPayload:
    seller_id = _seller(info)
    return await _account_payload(info, lambda s: registrars.create(
        s, seller_id=seller_id, driver=input.driver, name=input.name, settings=dict(input.settings or {}),
        test_mode=input.test_mode))


async def registrar_account_update(info: Info, input: RegistrarAccountUpdateInput) -> RegistrarAccountPayload:
    seller_id = _seller(info)
    changes = registrars.RegistrarAccountChanges(
        name=input.name, settings=dict(input.settings) if input.settings is not None else None,
        test_mode=input.test_mode, enabled=input.enabled)
    return await _account_payload(info, lambda s: registrars.update(
        s, seller_id=seller_id, account_id=decode_id(input.id, "RegistrarAccount"), changes=changes))


async def registrar_account_disable(info: Info, input: RegistrarAccountIdInput) -> RegistrarAccountPayload:
    seller_id = _seller(info)
    return await _account_payload(info, lambda s: registrars.disable(
        s, seller_id=seller_id, account_id=decode_id(input.id, "RegistrarAccount")))


async def tld_create(info: Info, input: TldCreateInput) -> TldPayload:
    seller_id = _seller(info)
    return await mutate(info, TldPayload, lambda s: Tld.from_model(registrars.create_custom_tld(
        s, seller_id=seller_id, name=input.name)), lambda built: TldPayload(tld=built))


async def tld_assign_registrar(info: Info, input: TldAssignRegistrarInput) -> TldPayload:
    seller_id = _seller(info)
    return await mutate(info, TldPayload, lambda s: Tld.from_model(registrars.assign_tld(
        s, seller_id=seller_id, tld_id=decode_id(input.id, "Tld"),
        account_id=decode_id(input.registrar_account_id, "RegistrarAccount", field="registrarAccountId"))),
        lambda built: TldPayload(tld=built))


def _prices(lines: list[DomainPlanTldInput]) -> list[plans.TldPrices]:
    return [plans.TldPrices(tld_id=decode_id(line.tld_id, "Tld", field=f"tlds.{index}.tldId"),
                            currency=line.currency, register=line.register, transfer=line.transfer, renew=line.renew)
            for index, line in enumerate(lines)]


async def domain_plan_create(info: Info, input: DomainPlanCreateInput) -> DomainPlanPayload:
    seller_id = _seller(info)
    return await mutate(info, DomainPlanPayload, lambda s: _plan(s, plans.create(
        s, seller_id=seller_id, name=input.name, prices=_prices(input.tlds))),
        lambda built: DomainPlanPayload(domain_plan=built))


async def domain_plan_update(info: Info, input: DomainPlanUpdateInput) -> DomainPlanPayload:
    seller_id = _seller(info)
    return await mutate(info, DomainPlanPayload, lambda s: _plan(s, plans.update(
        s, seller_id=seller_id, plan_id=decode_id(input.id, "DomainPlan"), name=input.name,
        prices=_prices(input.tlds) if input.tlds is not None else None)),
        lambda built: DomainPlanPayload(domain_plan=built))


async def _domain_step(info: Info, customer_id: str, name: str, action: str, years: int, auth_code: str = ""
                       ) -> DomainPayload:
    seller_id = _seller(info)

    def work(session: Session) -> DomainPayload:
        operation = orders.start_domain_step(
            session, seller_id=seller_id, customer_id=decode_id(customer_id, "Customer", field="customerId"),
            order_id=None, name=name, action=action, years=years, auth_code=auth_code)
        domain = domains.get_or_raise(session, seller_id=seller_id, domain_id=operation.domain_id)  # type: ignore[arg-type]
        return DomainPayload(domain=Domain.from_model(domain), operation=DomainOperation.from_model(operation))
    return await mutate(info, DomainPayload, work, lambda payload: payload)


async def domain_register(info: Info, input: DomainRegisterInput) -> DomainPayload:
    return await _domain_step(info, input.customer_id, input.name, "register", input.years)


async def domain_transfer(info: Info, input: DomainTransferInput) -> DomainPayload:
    return await _domain_step(info, input.customer_id, input.name, "transfer", input.years, input.auth_code)


async def domain_renew(info: Info, input: DomainRenewInput) -> DomainPayload:
    seller_id = _seller(info)

    def work(session: Session) -> DomainPayload:
        operation = orders.request_renewal(session, seller_id=seller_id, domain_id=decode_id(input.id, "Domain"),
                                           years=input.years)
        domain = domains.get_or_raise(session, seller_id=seller_id, domain_id=operation.domain_id)  # type: ignore[arg-type]
        return DomainPayload(domain=Domain.from_model(domain), operation=DomainOperation.from_model(operation))
    return await mutate(info, DomainPayload, work, lambda payload: payload)


async def domain_set_name_servers(info: Info, input: DomainSetNameServersInput) -> DomainPayload:
    seller_id = _seller(info)
    return await mutate(info, DomainPayload, lambda s: Domain.from_model(domains.set_name_servers(
        s, seller_id=seller_id, domain_id=decode_id(input.id, "Domain"), name_servers=input.name_servers)),
        lambda built: DomainPayload(domain=built))


async def domain_lock(info: Info, input: DomainLockInput) -> DomainPayload:
    seller_id = _seller(info)
    return await mutate(info, DomainPayload, lambda s: Domain.from_model(domains.set_lock(
        s, seller_id=seller_id, domain_id=decode_id(input.id, "Domain"), locked=input.locked)),
        lambda built: DomainPayload(domain=built))

