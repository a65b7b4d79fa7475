"""The double-entry ledger: a chart of accounts per seller (written on first use) and balanced postings.

A posting is a list of signed amounts per account (positive = debit, negative = credit) that sums to
zero; the database checks every transaction balances at commit (migration 0014)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.billing.models import LedgerAccount, LedgerEntry

RECEIVABLES = "receivables"
REVENUE = "revenue"
CUSTOMER_CREDIT = "customer_credit"
COUPON_EXPENSE = "coupon_expense"
REFUNDS = "refunds"

_FIXED = {RECEIVABLES: ("Accounts receivable", "asset"), REVENUE: ("Revenue", "revenue"),
          CUSTOMER_CREDIT: ("Customer credit", "liability"), COUPON_EXPENSE: ("Coupon expense", "expense"),
          REFUNDS: ("Refunds", "expense")}


def tax_payable(category: str, rate: Decimal) -> str:
    return f"tax_payable:{category.lower()}:{rate.normalize():f}"


def cash(method: str) -> str:
    return f"cash:{method}"


def _describe(code: str) -> tuple[str, str]:
    if code in _FIXED:
        return _FIXED[code]
    if code.startswith("tax_payable:"):
        _, category, rate = code.split(":")
        return f"Tax payable {category.upper()} {rate} %", "liability"
    if code.startswith("cash:"):
        return f"Cash/bank ({code[5:]})", "asset"
    raise ValueError(f"unknown ledger account {code}")


def account_id(session: Session, *, seller_id: uuid.UUID, code: str) -> uuid.UUID:
    name, kind = _describe(code)
    session.execute(insert(LedgerAccount).values(seller_id=seller_id, code=code, name=name, type=kind)
                    .on_conflict_do_nothing(index_elements=["seller_id", "code"]))
    return session.scalars(select(LedgerAccount.id).where(LedgerAccount.seller_id == seller_id,
                                                          LedgerAccount.code == code)).one()


@dataclass(frozen=True)
class Leg:
    code: str
    amount_minor: int  # positive: debit; negative: credit
    customer_id: uuid.UUID | None = None


def post(session: Session, *, seller_id: uuid.UUID, currency: str, legs: list[Leg], posted_on: date,
         invoice_id: uuid.UUID | None = None, memo: str = "") -> uuid.UUID | None:
    """Write one balanced transaction (legs of zero are left out); None when nothing moves."""
    legs = [leg for leg in legs if leg.amount_minor]
    if not legs:
        return None
    if sum(leg.amount_minor for leg in legs) != 0:
        raise ValueError(f"unbalanced posting {legs}")
    transaction_id = uuid.uuid4()
    session.add_all([LedgerEntry(
        seller_id=seller_id, transaction_id=transaction_id, currency=currency, invoice_id=invoice_id,
        account_id=account_id(session, seller_id=seller_id, code=leg.code), customer_id=leg.customer_id,
        debit_minor=max(leg.amount_minor, 0), credit_minor=max(-leg.amount_minor, 0), posted_on=posted_on,
        memo=memo) for leg in legs])
    session.flush()
    return transaction_id


def balance(session: Session, *, seller_id: uuid.UUID, code: str, currency: str,
            customer_id: uuid.UUID | None = None) -> int:
    """Debits minus credits of one account (for one customer when given)."""
    query = (select(func.coalesce(func.sum(LedgerEntry.debit_minor - LedgerEntry.credit_minor), 0))
             .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
             .where(LedgerEntry.seller_id == seller_id, LedgerAccount.code == code, LedgerEntry.currency == currency))
    if customer_id is not None:
        query = query.where(LedgerEntry.customer_id == customer_id)
    return int(session.scalar(query) or 0)
