"""Builders and checks shared by the billing tests."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.billing import ledger, services
from comptoir.billing.models import BilledService, Invoice, InvoiceLine, LedgerEntry
from comptoir.billing.rules import Cycle, ServiceKind
from comptoir.billing.settlement import OPEN, credit_balance
from comptoir.database.engine import session_scope
from comptoir.tenancy.context import Role, TenantContext
from tests import factories


def seller_with_customers(n: int = 1) -> tuple[uuid.UUID, list[uuid.UUID]]:
    provider = factories.provider(f"admin{uuid.uuid4().hex[:6]}")
    seller = factories.reseller(provider, "Billing Co", f"bill{uuid.uuid4().hex[:6]}")
    customers = [factories.customer(seller, f"cust{uuid.uuid4().hex[:6]}", subscribed=False).customer_id
                 for _ in range(n)]
    return seller.seller_id, customers  # type: ignore[return-value]


def system(seller_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.SYSTEM, seller_id))


def start(session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID, started_on: date, *,
          cycle: Cycle = Cycle.MONTHLY, price: int = 3000, kind: ServiceKind = ServiceKind.HOSTING,
          prorate: bool = True, subject_id: uuid.UUID | None = None) -> BilledService:
    return services.start_service(session, seller_id=seller_id, customer_id=customer_id, kind=kind,
                                  description=f"{kind.value} {cycle.value}", currency="EUR", cycle=cycle,
                                  price_minor=price, started_on=started_on, prorate=prorate, subject_id=subject_id)


def invoices(session: Session, seller_id: uuid.UUID) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(Invoice.seller_id == seller_id)
                                .order_by(Invoice.issue_date, Invoice.number)))


def period_lines(session: Session, service_id: uuid.UUID) -> list[tuple[date, date, int, str]]:
    rows = session.execute(select(InvoiceLine.period_start, InvoiceLine.period_end, InvoiceLine.net_minor,
                                  InvoiceLine.kind).where(InvoiceLine.service_id == service_id,
                                                          InvoiceLine.kind.in_(("recurring", "proration")))
                           .order_by(InvoiceLine.period_start)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def assert_books_consistent(session: Session, seller_id: uuid.UUID) -> None:
    """Every transaction balances; totals = Σ lines; per customer, receivables = open amounts and the
    customer-credit account = unapplied credit; numbers are gap-free."""
    unbalanced = session.execute(select(LedgerEntry.transaction_id).where(LedgerEntry.seller_id == seller_id)
                                 .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
                                 .having(func.sum(LedgerEntry.debit_minor) != func.sum(LedgerEntry.credit_minor))).all()
    assert unbalanced == []
    issued = [i for i in invoices(session, seller_id) if i.status != "draft"]
    for invoice in issued:
        lines = session.scalars(select(InvoiceLine.net_minor).where(InvoiceLine.invoice_id == invoice.id)).all()
        assert invoice.net_total == sum(lines) and invoice.total == invoice.net_total + invoice.tax_total
    for customer_id in {i.customer_id for i in issued}:
        open_amount = sum(i.total - i.amount_paid for i in issued
                          if i.customer_id == customer_id and i.kind == "invoice" and i.status in OPEN)
        assert ledger.balance(session, seller_id=seller_id, code=ledger.RECEIVABLES, currency="EUR",
                              customer_id=customer_id) == open_amount
        assert -ledger.balance(session, seller_id=seller_id, code=ledger.CUSTOMER_CREDIT, currency="EUR",
                               customer_id=customer_id) == credit_balance(
            session, seller_id=seller_id, customer_id=customer_id, currency="EUR")
    numbers = sorted(int(i.number) for i in issued if i.kind == "invoice")  # type: ignore[arg-type]
    assert numbers == list(range(1, len(numbers) + 1))


def at_once(work: Callable[[], None], times: int) -> None:
    """Run `work` on `times` threads released together; wait for all."""
    barrier = threading.Barrier(times)

    def released() -> None:
        barrier.wait()
        work()

    threads = [threading.Thread(target=released) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
