"""Resolvers of billing: staff list and manage invoices, settings, payments, credit; a customer reads its
own invoices and statement (row security keeps it to them)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

import strawberry
from babel.numbers import get_currency_precision
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.billing import adjustments, generation, invoicing, queries, settlement
from comptoir.billing import documents as invoice_documents
from comptoir.billing import settings as billing_settings
from comptoir.billing.errors import BillingError as DomainBillingError
from comptoir.billing.errors import BillingErrorCode
from comptoir.billing.models import Invoice as InvoiceModel
from comptoir.billing.statement import statement
from comptoir.documents.models import StoredDocument
from comptoir.hosting.usage import local_today
from comptoir.money import Money as MoneyValue
from comptoir.resolvers.documents import download_url
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.billing import (
    BillingSettings,
    BillingSettingsUpdateInput,
    BillingSettingsUpdatePayload,
    CreditNoteCreateInput,
    CreditNoteCreatePayload,
    CustomerCreditAddInput,
    CustomerCreditAddPayload,
    CustomerStatement,
    Invoice,
    InvoiceCreateInput,
    InvoiceFilterInput,
    InvoicePayload,
    InvoicePaymentRecordInput,
    InvoicePaymentRecordPayload,
    InvoiceResendInput,
    InvoiceResendPayload,
    InvoicesGenerateInput,
    InvoicesGeneratePayload,
    InvoiceSortInput,
    PlannedInvoice,
    StatementLine,
    _money,
)
from comptoir.schema.documents import Document
from comptoir.schema.ids import decode_id, decode_optional_id, encode_id
from comptoir.tenancy.context import Role


def parse_amount(text: str, currency: str, *, field: str = "amount") -> int:
    """A decimal string in major units as integer minor units; more decimals than the currency has refused."""
    try:
        value = Decimal(text.strip())
        scaled = value.scaleb(get_currency_precision(currency.upper()))
    except (InvalidOperation, ValueError, AttributeError):
        raise DomainBillingError(BillingErrorCode.INVALID, "Not an amount.", field=field) from None
    if not value.is_finite() or scaled != scaled.to_integral_value() or abs(scaled) > 10**15:
        raise DomainBillingError(BillingErrorCode.INVALID, "Not an amount in this currency.", field=field)
    return int(scaled)


def _invoices(session: Session, models: list[InvoiceModel]) -> list[Invoice]:
    lines = queries.lines_by_invoice(session, [m.id for m in models])
    pdfs = invoice_documents.stored_by_invoice(session, [m.id for m in models])
    return [Invoice.from_model(m, lines.get(m.id, []), _pdf(pdfs.get(m.id))) for m in models]


def _pdf(row: StoredDocument | None) -> Document | None:
    return Document.from_model(row, download_url(row.seller_id, row.id)) if row is not None else None


async def invoice_resend(info: Info, input: InvoiceResendInput) -> InvoiceResendPayload:
    """E-mail an issued invoice again to its recipients, with its stored PDF (the same bytes)."""
    def work(session: Session) -> InvoiceResendPayload:
        invoice_id = decode_id(input.invoice_id, "Invoice", field="invoiceId")
        invoice = session.get(InvoiceModel, invoice_id)
        if invoice is None:
            raise DomainBillingError(BillingErrorCode.NOT_FOUND, "No such invoice.", field="invoiceId")
        sent = invoicing.resend(session, invoice)
        return InvoiceResendPayload(invoice=_invoices(session, [invoice])[0], sent=sent)
    return await mutate(info, InvoiceResendPayload, work, lambda payload: payload)


async def invoices(info: Info, first: int | None = None, after: str | None = None,
                   filter: InvoiceFilterInput | None = None, sort: InvoiceSortInput | None = None) -> Connection[Invoice]:
    sort = sort or InvoiceSortInput()
    request = page_request(info, first, after, sort.direction)
    tenant = info.context.tenant
    given = filter or InvoiceFilterInput()
    own = tenant.customer_id if tenant.role is Role.CUSTOMER else None

    def load(session: Session) -> Connection[Invoice]:
        kind = None if given.credit_notes is None else ("credit_note" if given.credit_notes else "invoice")
        filter_ = queries.InvoiceFilter(
            status=given.status.value if given.status else None, kind=kind,
            customer_id=own or decode_optional_id(given.customer_id, "Customer", field="customerId"),
            issued_from=given.issued_from, issued_to=given.issued_to)
        page = queries.list_page(session, seller_id=tenant.seller_id, filter_=filter_, page=request, sort=sort.field)
        built = _invoices(session, list(page.items))
        by_id = {item.id: item for item in built}
        return Connection[Invoice].from_page(page, lambda m: by_id[_gid(m.id)])
    return await info.context.run(load)


def _gid(invoice_id: uuid.UUID) -> str:
    return encode_id("Invoice", invoice_id)


async def load_invoice(info: Info, invoice_id: uuid.UUID) -> Invoice | None:
    def load(session: Session) -> Invoice | None:
        model = session.get(InvoiceModel, invoice_id)
        return _invoices(session, [model])[0] if model else None
    return await info.context.run(load)


async def billing_settings_query(info: Info) -> BillingSettings:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: BillingSettings.from_model(billing_settings.get(s, seller_id=seller_id)))


async def customer_statement(info: Info, currency: str, customer_id: strawberry.ID | None = None) -> CustomerStatement:
    tenant = info.context.tenant

    def load(session: Session) -> CustomerStatement:
        who = tenant.customer_id if tenant.role is Role.CUSTOMER else decode_id(customer_id or "", "Customer",
                                                                                 field="customerId")
        rows = statement(session, seller_id=tenant.seller_id, customer_id=who, currency=currency)
        credit = settlement.credit_balance(session, seller_id=tenant.seller_id, customer_id=who, currency=currency)
        return CustomerStatement(currency=currency, lines=[StatementLine.of(row, currency) for row in rows],
                                 balance=_money(rows[-1].balance_minor if rows else 0, currency),
                                 credit=_money(credit, currency))
    return await info.context.run(load)


async def billing_settings_update(info: Info, input: BillingSettingsUpdateInput) -> BillingSettingsUpdatePayload:
    seller_id = info.context.tenant.seller_id
    changes = {name: getattr(value, "value", value) for name, value in vars(input).items() if value is not None}
    return await mutate(info, BillingSettingsUpdatePayload,
                        lambda s: BillingSettings.from_model(billing_settings.update(s, seller_id=seller_id,
                                                                                     changes=changes)),
                        lambda settings: BillingSettingsUpdatePayload(billing_settings=settings))


async def invoices_generate(info: Info, input: InvoicesGenerateInput) -> InvoicesGeneratePayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> InvoicesGeneratePayload:
        result = generation.generate_invoices(session, seller_id=seller_id, today=local_today(session, seller_id),
                                              dry_run=input.dry_run)
        return InvoicesGeneratePayload(planned=[PlannedInvoice.of(p) for p in result.planned],
                                       invoices=_invoices(session, result.issued))
    return await mutate(info, InvoicesGeneratePayload, work, lambda payload: payload)


async def invoice_create(info: Info, input: InvoiceCreateInput) -> InvoicePayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> Invoice:
        currency = input.currency.upper()
        lines = [adjustments.OneOffLine(line.description, parse_amount(line.unit_price, currency,
                                                                       field=f"lines.{n}.unitPrice"),
                                        _quantity(line.quantity, n)) for n, line in enumerate(input.lines)]
        invoice = adjustments.create_manual_invoice(
            session, seller_id=seller_id, customer_id=decode_id(input.customer_id, "Customer", field="customerId"),
            currency=currency, lines=lines, issue_date=local_today(session, seller_id),
            extra_recipients=list(input.extra_recipients))
        return _invoices(session, [invoice])[0]
    return await mutate(info, InvoicePayload, work, lambda invoice: InvoicePayload(invoice=invoice))


def _quantity(text: str, n: int) -> Decimal:
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        quantity = Decimal(-1)
    if not quantity.is_finite() or quantity <= 0 or quantity > 10**6:
        raise DomainBillingError(BillingErrorCode.INVALID, "A quantity is more than zero.", field=f"lines.{n}.quantity")
    return quantity


async def invoice_payment_record(info: Info, input: InvoicePaymentRecordInput) -> InvoicePaymentRecordPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> InvoicePaymentRecordPayload:
        currency = input.currency.upper()
        ids = ([decode_id(i, "Invoice", field="invoiceIds") for i in input.invoice_ids]
               if input.invoice_ids is not None else None)
        result = settlement.record_payment(
            session, seller_id=seller_id, customer_id=decode_id(input.customer_id, "Customer", field="customerId"),
            amount=MoneyValue(parse_amount(input.amount, currency), currency), method=input.method.value,
            reference=input.reference[:200], invoice_ids=ids, on=input.received_on or local_today(session, seller_id))
        touched = [session.get_one(InvoiceModel, a.invoice_id) for a in result.allocations]
        return InvoicePaymentRecordPayload(invoices=_invoices(session, touched),
                                           credited=_money(result.credited_minor, currency))
    return await mutate(info, InvoicePaymentRecordPayload, work, lambda payload: payload)


async def credit_note_create(info: Info, input: CreditNoteCreateInput) -> CreditNoteCreatePayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> Invoice:
        invoice = queries.get_or_raise(session, invoice_id=decode_id(input.invoice_id, "Invoice", field="invoiceId"))
        amount = parse_amount(input.amount, invoice.currency) if input.amount is not None else None
        note = adjustments.create_credit_note(session, invoice_id=invoice.id, amount_minor=amount,
                                              reason=input.reason[:300], issue_date=local_today(session, seller_id))
        return _invoices(session, [note])[0]
    return await mutate(info, CreditNoteCreatePayload, work, lambda note: CreditNoteCreatePayload(credit_note=note))


async def customer_credit_add(info: Info, input: CustomerCreditAddInput) -> CustomerCreditAddPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> CustomerCreditAddPayload:
        currency = input.currency.upper()
        customer_id = decode_id(input.customer_id, "Customer", field="customerId")
        settlement.add_credit(session, seller_id=seller_id, customer_id=customer_id,
                              amount=MoneyValue(parse_amount(input.amount, currency), currency), kind="manual",
                              on=local_today(session, seller_id), description=input.description[:300])
        left = settlement.credit_balance(session, seller_id=seller_id, customer_id=customer_id, currency=currency)
        return CustomerCreditAddPayload(credit=_money(left, currency))
    return await mutate(info, CustomerCreditAddPayload, work, lambda payload: payload)
