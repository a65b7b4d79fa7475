"""GraphQL types of billing (SPEC §9): invoices and their lines, settings, statements, and inputs."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry

from comptoir.billing.errors import BillingErrorCode as _BillingErrorCode
from comptoir.billing.generation import PlannedInvoice as PlannedModel
from comptoir.billing.models import BillingSettings as SettingsModel
from comptoir.billing.models import Invoice as InvoiceModel
from comptoir.billing.models import InvoiceLine as LineModel
from comptoir.billing.numbering_rules import NumberingFormat as _NumberingFormat
from comptoir.billing.queries import InvoiceSort as _InvoiceSort
from comptoir.billing.rules import BillingMode as _BillingMode
from comptoir.billing.statement import StatementRow
from comptoir.database.pagination import SortDirection
from comptoir.money import Money as MoneyValue
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.documents import Document
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import Money

BillingErrorCode = error_code_enum("BillingErrorCode", _BillingErrorCode)
BillingMode = strawberry.enum(_BillingMode, name="BillingMode")
NumberingFormat = strawberry.enum(_NumberingFormat, name="InvoiceNumberingFormat")
InvoiceSortField = strawberry.enum(_InvoiceSort, name="InvoiceSortField")


@strawberry.enum(name="InvoiceStatus")
class InvoiceStatus(enum.Enum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    OVERDUE = "overdue"
    VOID = "void"
    ACTION_REQUIRED = "action_required"


@strawberry.enum(name="ManualPaymentMethod")
class ManualPaymentMethod(enum.Enum):
    CHEQUE = "cheque"
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"


@strawberry.type
class BillingError(UserError):
    code: BillingErrorCode  # type: ignore[valid-type]


def _money(minor: int, currency: str) -> Money:
    return Money.of(MoneyValue(minor, currency), "en")


@strawberry.type(description="One line of an invoice or credit note.")
class InvoiceLine:
    position: int
    description: str
    kind: str = strawberry.field(description="recurring, setup, proration, one_off, credit, discount, overage.")
    period_start: date | None
    period_end: date | None = strawberry.field(description="The period's last day (inclusive).")
    quantity: str
    unit_price: Money
    net: Money
    tax_category: str
    tax_rate: str = strawberry.field(description="Percent, as a decimal string.")
    tax: Money

    @classmethod
    def from_model(cls, line: LineModel, currency: str) -> InvoiceLine:
        return cls(position=line.position, description=line.description, kind=line.kind,
                   period_start=line.period_start, period_end=line.period_end, quantity=str(line.quantity),
                   unit_price=_money(line.unit_price_minor, currency), net=_money(line.net_minor, currency),
                   tax_category=line.tax_category, tax_rate=str(line.tax_rate), tax=_money(line.tax_minor, currency))


@strawberry.type(description="An invoice or a credit note; issued ones never change.")
class Invoice(Node):
    number: str | None
    kind: str = strawberry.field(description="invoice or credit_note.")
    status: InvoiceStatus
    customer_id: strawberry.ID
    currency: str
    issue_date: date | None
    due_date: date | None
    net_total: Money
    tax_total: Money
    total: Money
    amount_paid: Money
    amount_due: Money
    reverse_charge: bool
    tax_note: str
    credited_invoice_id: strawberry.ID | None
    created_at: datetime
    lines: list[InvoiceLine] = strawberry.field(description="Filled by the invoice's resolver (one query a page).")
    pdf: Document | None = strawberry.field(default=None, description=(
        "The issued PDF as stored (its bytes never change; downloadUrl is signed and expires); "
        "null until it is rendered."))

    @classmethod
    def from_model(cls, invoice: InvoiceModel, lines: list[LineModel], pdf: Document | None = None) -> Invoice:
        currency = invoice.currency
        return cls(
            id=strawberry.ID(encode_id("Invoice", invoice.id)), number=invoice.number, kind=invoice.kind,
            status=InvoiceStatus(invoice.status), customer_id=strawberry.ID(encode_id("Customer", invoice.customer_id)),
            currency=currency, issue_date=invoice.issue_date, due_date=invoice.due_date,
            net_total=_money(invoice.net_total, currency), tax_total=_money(invoice.tax_total, currency),
            total=_money(invoice.total, currency), amount_paid=_money(invoice.amount_paid, currency),
            amount_due=_money(invoice.amount_due, currency), reverse_charge=invoice.reverse_charge,
            tax_note=invoice.tax_note, created_at=invoice.created_at,
            credited_invoice_id=strawberry.ID(encode_id("Invoice", invoice.credited_invoice_id))
            if invoice.credited_invoice_id else None,
            lines=[InvoiceLine.from_model(line, currency) for line in lines], pdf=pdf)


@strawberry.type(description="A seller's billing settings (SPEC §9).")
class BillingSettings:
    mode: BillingMode  # type: ignore[valid-type]
    threshold_day: int = strawberry.field(description="Monthly mode: a sign-up on or after this day also pays "
                                                      "the next month.")
    lead_days_hosting: int
    lead_days_domain: int
    lead_days_certificate: int
    due_days: int
    max_items_per_invoice: int = strawberry.field(description="0: no limit.")
    numbering_format: NumberingFormat  # type: ignore[valid-type]
    numbering_start: int
    fiscal_year_start_month: int
    credit_on_immediate_cancel: bool
    queue_process_new: bool = strawberry.field(description="Payment queue: charge newly issued invoices.")
    queue_retry_declined: bool = strawberry.field(description="Retry soft declines after the retry delay "
                                                              "(hard declines never).")
    queue_retry_errored: bool = strawberry.field(description="Retry errored charges after the retry delay.")
    queue_retry_delay_days: int
    queue_due_date_only: bool = strawberry.field(description="Charge only on the due date (else N days before).")
    queue_clear_first: bool = strawberry.field(description="Clear the queue before generating a new one.")
    queue_try_lower_amounts: bool = strawberry.field(description="Smallest invoices first, paying what the card "
                                                                 "covers; else oldest first, stopping at the "
                                                                 "customer's first failure.")
    queue_card_action: str = strawberry.field(description="capture or authorise (authorise only).")
    queue_days_before_due: int
    overdue_notice_days: list[int] = strawberry.field(description="Days past due when overdue notices go out.")
    suspension_days: int = strawberry.field(description="Days past due when the subscriptions are suspended.")
    cancellation_days: int = strawberry.field(description="Days past due when they are cancelled (or deleted).")
    cancellation_action: str = strawberry.field(description="cancel or delete.")

    @classmethod
    def from_model(cls, settings: SettingsModel) -> BillingSettings:
        return cls(mode=_BillingMode(settings.mode), threshold_day=settings.threshold_day,
                   lead_days_hosting=settings.lead_days_hosting, lead_days_domain=settings.lead_days_domain,
                   lead_days_certificate=settings.lead_days_certificate, due_days=settings.due_days,
                   max_items_per_invoice=settings.max_items_per_invoice,
                   numbering_format=_NumberingFormat(settings.numbering_format),
                   numbering_start=settings.numbering_start, fiscal_year_start_month=settings.fiscal_year_start_month,
                   credit_on_immediate_cancel=settings.credit_on_immediate_cancel,
                   **{name: getattr(settings, name) for name in QUEUE_AND_DUNNING})


QUEUE_AND_DUNNING = ("queue_process_new", "queue_retry_declined", "queue_retry_errored", "queue_retry_delay_days",
                     "queue_due_date_only", "queue_clear_first", "queue_try_lower_amounts", "queue_card_action",
                     "queue_days_before_due", "overdue_notice_days", "suspension_days", "cancellation_days",
                     "cancellation_action")


@strawberry.type(description="An invoice a generation run would issue (dry run).")
class PlannedInvoice:
    customer_id: strawberry.ID
    total: Money = strawberry.field(description="Before discounts and taxes.")
    periods: int

    @classmethod
    def of(cls, planned: PlannedModel) -> PlannedInvoice:
        return cls(customer_id=strawberry.ID(encode_id("Customer", planned.customer_id)),
                   total=_money(planned.total_minor, planned.currency), periods=len(planned.items))


@strawberry.type(description="One row of a customer's statement; the balance is what it owes (negative: credit).")
class StatementLine:
    date: date
    kind: str = strawberry.field(description="invoice, credit_note, payment or credit.")
    reference: str
    description: str
    amount: Money
    balance: Money

    @classmethod
    def of(cls, row: StatementRow, currency: str) -> StatementLine:
        return cls(date=row.on, kind=row.kind, reference=row.reference, description=row.description,
                   amount=_money(row.amount_minor, currency), balance=_money(row.balance_minor, currency))


@strawberry.type
class CustomerStatement:
    currency: str
    lines: list[StatementLine]
    balance: Money
    credit: Money = strawberry.field(description="Unapplied credit, applied to the next invoices.")


@strawberry.input
class InvoiceFilterInput:
    status: InvoiceStatus | None = None
    customer_id: strawberry.ID | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    credit_notes: bool | None = strawberry.field(default=None, description="true: credit notes only; false: "
                                                                            "invoices only.")


@strawberry.input
class InvoiceSortInput:
    field: InvoiceSortField = _InvoiceSort.ISSUE_DATE  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class BillingSettingsUpdateInput:
    mode: BillingMode | None = None  # type: ignore[valid-type]
    threshold_day: int | None = None
    lead_days_hosting: int | None = None
    lead_days_domain: int | None = None
    lead_days_certificate: int | None = None
    due_days: int | None = None
    max_items_per_invoice: int | None = None
    numbering_format: NumberingFormat | None = None  # type: ignore[valid-type]
    numbering_start: int | None = None
    fiscal_year_start_month: int | None = None
    credit_on_immediate_cancel: bool | None = None
    queue_process_new: bool | None = None
    queue_retry_declined: bool | None = None
    queue_retry_errored: bool | None = None
    queue_retry_delay_days: int | None = None
    queue_due_date_only: bool | None = None
    queue_clear_first: bool | None = None
    queue_try_lower_amounts: bool | None = None
    queue_card_action: str | None = None
    queue_days_before_due: int | None = None
    overdue_notice_days: list[int] | None = None
    suspension_days: int | None = None
    cancellation_days: int | None = None
    cancellation_action: str | None = None


@strawberry.type
class BillingSettingsUpdatePayload:
    billing_settings: BillingSettings | None = None
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.input
class InvoicesGenerateInput:
    dry_run: bool = False


@strawberry.type
class InvoicesGeneratePayload:
    planned: list[PlannedInvoice] = strawberry.field(default_factory=list)
    invoices: list[Invoice] = strawberry.field(default_factory=list, description="Issued (none on a dry run).")
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.input
class InvoiceLineInput:
    description: str = strawberry.field(description="At most 500 characters.")
    unit_price: str = strawberry.field(description="Decimal amount in major units (\"49.90\").")
    quantity: str = "1"


@strawberry.input
class InvoiceCreateInput:
    customer_id: strawberry.ID
    currency: str
    lines: list[InvoiceLineInput]
    extra_recipients: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class InvoiceResendInput:
    invoice_id: strawberry.ID


@strawberry.type
class InvoiceResendPayload:
    invoice: Invoice | None = None
    sent: int = strawberry.field(default=0, description="How many e-mails were queued (one per recipient).")
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.input
class InvoicePaymentRecordInput:
    customer_id: strawberry.ID
    amount: str = strawberry.field(description="Decimal amount in major units.")
    currency: str
    method: ManualPaymentMethod
    reference: str = ""
    invoice_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Pay these, in this order; none: the customer's open invoices, oldest first.")
    received_on: date | None = None


@strawberry.type
class InvoicePaymentRecordPayload:
    invoices: list[Invoice] = strawberry.field(default_factory=list)
    credited: Money | None = strawberry.field(default=None, description="What was left over: now credit.")
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.input
class CreditNoteCreateInput:
    invoice_id: strawberry.ID
    amount: str | None = strawberry.field(default=None, description="Net amount; none: all not yet credited.")
    reason: str


@strawberry.type
class CreditNoteCreatePayload:
    credit_note: Invoice | None = None
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.input
class CustomerCreditAddInput:
    customer_id: strawberry.ID
    amount: str
    currency: str
    description: str = ""


@strawberry.type
class CustomerCreditAddPayload:
    credit: Money | None = None
    errors: list[BillingError] = strawberry.field(default_factory=list)
