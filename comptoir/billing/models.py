"""Billing tables (migration 0014): settings, billed services, invoices and lines, counters, ledger,
customer credit and payment allocations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.tenancy.models import UUID_PK

NOW: dict[str, Any] = {"server_default": text("now()")}


class BillingSettings(Base):
    __tablename__ = "billing_settings"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(server_default="anniversary")
    threshold_day: Mapped[int] = mapped_column(server_default=text("20"))
    lead_days_hosting: Mapped[int] = mapped_column(server_default=text("10"))
    lead_days_domain: Mapped[int] = mapped_column(server_default=text("30"))
    lead_days_certificate: Mapped[int] = mapped_column(server_default=text("30"))
    due_days: Mapped[int] = mapped_column(server_default=text("10"))
    max_items_per_invoice: Mapped[int] = mapped_column(server_default=text("0"))
    numbering_format: Mapped[str] = mapped_column(server_default="SEQ")
    numbering_start: Mapped[int] = mapped_column(server_default=text("1"))
    fiscal_year_start_month: Mapped[int] = mapped_column(server_default=text("1"))
    credit_on_immediate_cancel: Mapped[bool] = mapped_column(server_default=text("true"))
    # payment queue (SPEC §6, migration 0025)
    queue_process_new: Mapped[bool] = mapped_column(server_default=text("true"))
    queue_retry_declined: Mapped[bool] = mapped_column(server_default=text("true"))
    queue_retry_errored: Mapped[bool] = mapped_column(server_default=text("true"))
    queue_retry_delay_days: Mapped[int] = mapped_column(server_default=text("3"))
    queue_due_date_only: Mapped[bool] = mapped_column(server_default=text("false"))
    queue_clear_first: Mapped[bool] = mapped_column(server_default=text("true"))
    queue_try_lower_amounts: Mapped[bool] = mapped_column(server_default=text("true"))
    queue_card_action: Mapped[str] = mapped_column(server_default="capture")
    queue_days_before_due: Mapped[int] = mapped_column(server_default=text("1"))
    # dunning (SPEC §10, migration 0025)
    overdue_notice_days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), server_default=text("'{1,7}'"))
    suspension_days: Mapped[int] = mapped_column(server_default=text("14"))
    cancellation_days: Mapped[int] = mapped_column(server_default=text("45"))
    cancellation_action: Mapped[str] = mapped_column(server_default="cancel")
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class BilledService(Base):
    """The billing side of something sold on a cycle: a hosting subscription, a domain, a certificate."""

    __tablename__ = "billed_services"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    subject_id: Mapped[uuid.UUID | None]  # hosting: the subscription's id
    description: Mapped[str]
    store_id: Mapped[uuid.UUID | None]
    currency: Mapped[str]
    plan_id: Mapped[uuid.UUID | None]
    cycle: Mapped[str]
    price_minor: Mapped[int]
    prorate: Mapped[bool] = mapped_column(server_default=text("true"))
    anchor_day: Mapped[int]
    started_on: Mapped[date]
    billed_through: Mapped[date | None]  # exclusive end of the last period invoiced
    paid_through: Mapped[date | None]  # exclusive end of the last period paid
    status: Mapped[str] = mapped_column(server_default="active")
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default=text("false"))
    ends_on: Mapped[date | None]  # no period starting on or after this day is billed
    created_at: Mapped[datetime] = mapped_column(**NOW)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    number: Mapped[str | None]
    kind: Mapped[str] = mapped_column(server_default="invoice")
    status: Mapped[str] = mapped_column(server_default="draft")
    currency: Mapped[str]
    issue_date: Mapped[date | None]
    due_date: Mapped[date | None]
    net_total: Mapped[int] = mapped_column(server_default=text("0"))
    tax_total: Mapped[int] = mapped_column(server_default=text("0"))
    total: Mapped[int] = mapped_column(server_default=text("0"))
    amount_paid: Mapped[int] = mapped_column(server_default=text("0"))
    reverse_charge: Mapped[bool] = mapped_column(server_default=text("false"))
    tax_note: Mapped[str] = mapped_column(server_default="")
    tax_breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    seller_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    customer_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    recipients: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    language: Mapped[str] = mapped_column(server_default="en")
    overdue_notices: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), server_default=text("'{}'"))
    dunning_stage: Mapped[str] = mapped_column(server_default="")
    order_id: Mapped[uuid.UUID | None]
    credited_invoice_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)
    issued_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]

    @property
    def amount_due(self) -> int:
        return max(self.total - self.amount_paid, 0)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    invoice_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    position: Mapped[int]
    service_id: Mapped[uuid.UUID | None]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]  # inclusive
    description: Mapped[str]
    quantity: Mapped[Decimal] = mapped_column(server_default=text("1"))
    unit_price_minor: Mapped[int]
    net_minor: Mapped[int]
    kind: Mapped[str]
    tax_category: Mapped[str] = mapped_column(server_default="O")
    tax_rate: Mapped[Decimal] = mapped_column(server_default=text("0"))
    tax_minor: Mapped[int] = mapped_column(server_default=text("0"))
    coupon_id: Mapped[uuid.UUID | None]


class InvoiceNumberCounter(Base):
    __tablename__ = "invoice_number_counters"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(primary_key=True)
    last_value: Mapped[int]


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    code: Mapped[str]
    name: Mapped[str]
    type: Mapped[str]


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    transaction_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    currency: Mapped[str]
    debit_minor: Mapped[int] = mapped_column(server_default=text("0"))
    credit_minor: Mapped[int] = mapped_column(server_default=text("0"))
    invoice_id: Mapped[uuid.UUID | None]
    posted_on: Mapped[date]
    memo: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(**NOW)


class CustomerBalanceTransaction(Base):
    """A movement of a customer's credit in one currency: positive adds credit, negative uses it."""

    __tablename__ = "customer_balance_transactions"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    currency: Mapped[str]
    amount_minor: Mapped[int]
    kind: Mapped[str]
    invoice_id: Mapped[uuid.UUID | None]
    reference: Mapped[str] = mapped_column(server_default="")
    description: Mapped[str] = mapped_column(server_default="")
    occurred_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class PaymentAllocation(Base):
    """Part of a payment (or of credit, or of a credit note) applied to one invoice."""

    __tablename__ = "payment_allocations"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    invoice_id: Mapped[uuid.UUID]
    currency: Mapped[str]
    amount_minor: Mapped[int]
    method: Mapped[str]
    reference: Mapped[str] = mapped_column(server_default="")
    payment_id: Mapped[uuid.UUID | None]  # the payments table's row, when a gateway took it
    received_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class PaymentQueueRow(Base):
    """One invoice of a payment queue to charge to its customer's default card (migration 0025)."""

    __tablename__ = "payment_queue_rows"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    queue_id: Mapped[uuid.UUID]
    invoice_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    amount_minor: Mapped[int]
    currency: Mapped[str]
    position: Mapped[int]
    status: Mapped[str] = mapped_column(server_default="queued")
    payment_id: Mapped[uuid.UUID | None]
    message: Mapped[str] = mapped_column(server_default="")
    generated_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(**NOW)
