"""Domain plans: which active TLDs a seller sells, with yearly prices (1-10 years) for registration,
transfer and renewal per currency."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.domains import rules
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import DomainPlan, DomainPlanTld, Tld
from comptoir.errors import collect_errors

CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class TldPrices:
    tld_id: uuid.UUID
    currency: str
    register: Sequence[int]
    transfer: Sequence[int] = ()
    renew: Sequence[int] = ()


def get_or_raise(session: Session, *, seller_id: uuid.UUID, plan_id: uuid.UUID) -> DomainPlan:
    plan = session.get(DomainPlan, plan_id)
    if plan is None or plan.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.DOMAIN_PLAN_NOT_FOUND, "No such domain plan.", field="id")
    return plan


def list_all(session: Session, *, seller_id: uuid.UUID) -> list[DomainPlan]:
    return list(session.scalars(select(DomainPlan).where(DomainPlan.seller_id == seller_id)
                                .order_by(DomainPlan.name)))


def prices_of(session: Session, plan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[DomainPlanTld]]:
    """The price rows of several plans in one query (by plan id)."""
    found: dict[uuid.UUID, list[DomainPlanTld]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        for row in session.scalars(select(DomainPlanTld).where(DomainPlanTld.plan_id.in_(plan_ids))
                                   .order_by(DomainPlanTld.currency)):
            found[row.plan_id].append(row)
    return found


def _check_prices(session: Session, seller_id: uuid.UUID, prices: Sequence[TldPrices]) -> None:
    with collect_errors() as errors:
        for index, line in enumerate(prices):
            errors.check(lambda line=line, index=index: _check_line(session, seller_id, line, f"tlds.{index}"))


def _check_line(session: Session, seller_id: uuid.UUID, line: TldPrices, where: str) -> None:
    tld = session.get(Tld, line.tld_id)
    if tld is None or tld.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.TLD_NOT_FOUND, "No such TLD.", field=f"{where}.tldId")
    if tld.status != rules.ACTIVE:
        raise DomainsError(DomainsErrorCode.TLD_NOT_ACTIVE,
                           f".{tld.name} is suspended: configure a registrar that supports it first.",
                           field=f"{where}.tldId")
    if not CURRENCY.match(line.currency):
        raise DomainsError(DomainsErrorCode.INVALID_PRICES, "A currency is an ISO 4217 code.", field=f"{where}.currency")
    for name, values, required in (("register", line.register, True), ("transfer", line.transfer, False),
                                   ("renew", line.renew, True)):
        problem = rules.price_problem(values, required=required)
        if problem:
            raise DomainsError(DomainsErrorCode.INVALID_PRICES, problem, field=f"{where}.{name}")


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise DomainsError(DomainsErrorCode.INVALID_PRICES, "A name has 1 to 255 characters.", field="name")
    return name


def _replace_prices(session: Session, plan: DomainPlan, prices: Sequence[TldPrices]) -> None:
    session.execute(delete(DomainPlanTld).where(DomainPlanTld.plan_id == plan.id))
    seen = set()
    for line in prices:
        key = (line.tld_id, line.currency)
        if key in seen:
            raise DomainsError(DomainsErrorCode.INVALID_PRICES, "One price list per TLD and currency.", field="tlds")
        seen.add(key)
        session.add(DomainPlanTld(seller_id=plan.seller_id, plan_id=plan.id, tld_id=line.tld_id,
                                  currency=line.currency, register=list(line.register),
                                  transfer=list(line.transfer), renew=list(line.renew)))
    session.flush()


def create(session: Session, *, seller_id: uuid.UUID, name: str, prices: Sequence[TldPrices]) -> DomainPlan:
    """A domain plan of active TLDs only (a suspended TLD is refused)."""
    plan = DomainPlan(seller_id=seller_id, name=_name(name))
    _check_prices(session, seller_id, prices)
    session.add(plan)
    session.flush()
    _replace_prices(session, plan, prices)
    return plan


def update(session: Session, *, seller_id: uuid.UUID, plan_id: uuid.UUID, name: str | None,
           prices: Sequence[TldPrices] | None) -> DomainPlan:
    plan = get_or_raise(session, seller_id=seller_id, plan_id=plan_id)
    if name is not None:
        plan.name = _name(name)
    if prices is not None:
        _check_prices(session, seller_id, prices)
        _replace_prices(session, plan, prices)
    plan.updated_at = clock.now()
    session.flush()
    return plan
