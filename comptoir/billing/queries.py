"""Reading invoices: a filtered, sorted page, one invoice, lines of many invoices at once."""

from __future__ import annotations

import enum
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.database.pagination import Page, PageRequest, paginate


class InvoiceSort(enum.Enum):
    ISSUE_DATE = "issue_date"
    DUE_DATE = "due_date"
    NUMBER = "number"
    TOTAL = "total"
    CREATED_AT = "created_at"


SORT_COLUMNS = {InvoiceSort.ISSUE_DATE: Invoice.issue_date, InvoiceSort.DUE_DATE: Invoice.due_date,
                InvoiceSort.NUMBER: Invoice.number, InvoiceSort.TOTAL: Invoice.total,
                InvoiceSort.CREATED_AT: Invoice.created_at}


@dataclass(frozen=True)
class InvoiceFilter:
    status: str | None = None
    kind: str | None = None
    customer_id: uuid.UUID | None = None
    issued_from: date | None = None
    issued_to: date | None = None


def list_page(session: Session, *, seller_id: uuid.UUID, filter_: InvoiceFilter, page: PageRequest,
              sort: InvoiceSort) -> Page[Invoice]:
    statement = select(Invoice).where(Invoice.seller_id == seller_id)
    if filter_.status is not None:
        statement = statement.where(Invoice.status == filter_.status)
    if filter_.kind is not None:
        statement = statement.where(Invoice.kind == filter_.kind)
    if filter_.customer_id is not None:
        statement = statement.where(Invoice.customer_id == filter_.customer_id)
    if filter_.issued_from is not None:
        statement = statement.where(Invoice.issue_date >= filter_.issued_from)
    if filter_.issued_to is not None:
        statement = statement.where(Invoice.issue_date <= filter_.issued_to)
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=Invoice.id)


def get_or_raise(session: Session, *, invoice_id: uuid.UUID) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise BillingError(BillingErrorCode.NOT_FOUND, "No such invoice.", field="id")
    return invoice


def lines_by_invoice(session: Session, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[InvoiceLine]]:
    found: dict[uuid.UUID, list[InvoiceLine]] = defaultdict(list)
    for line in session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(invoice_ids))
                                .order_by(InvoiceLine.invoice_id, InvoiceLine.position)):
        found[line.invoice_id].append(line)
    return found
