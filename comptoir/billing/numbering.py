"""Invoice numbers, gap-free: a number is taken from a counter row, row-locked until the issuing
transaction ends, so a rolled-back issue gives its number back and two issues never share one."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.billing.models import BillingSettings, InvoiceNumberCounter
from comptoir.billing.numbering_rules import NumberingFormat, Series, counter_for, format_number


def take_number(session: Session, *, settings: BillingSettings, series: Series, issue_date: date) -> str:
    fmt = NumberingFormat(settings.numbering_format)
    counter = counter_for(fmt, series, issue_date, fiscal_start_month=settings.fiscal_year_start_month)
    value = _next_value(session, settings.seller_id, counter.series.value, counter.period, settings.numbering_start)
    return format_number(fmt, series, issue_date, value, fiscal_start_month=settings.fiscal_year_start_month)


def _next_value(session: Session, seller_id: uuid.UUID, series: str, period: str, start: int) -> int:
    table = InvoiceNumberCounter.__table__
    statement = insert(InvoiceNumberCounter).values(
        seller_id=seller_id, series=series, period=period, last_value=start,
    ).on_conflict_do_update(
        index_elements=[table.c.seller_id, table.c.series, table.c.period],
        set_={"last_value": table.c.last_value + 1},
    ).returning(table.c.last_value)
    return int(session.execute(statement).scalar_one())
