"""GraphQL types of the payment queue: staff generate, review and run a queue by hand."""

from __future__ import annotations

from datetime import date

import strawberry

from comptoir.billing.models import PaymentQueueRow as RowModel
from comptoir.schema.billing import BillingError, _money
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import Money


@strawberry.type(description="One invoice of a payment queue, charged to its customer's default card.")
class PaymentQueueRow:
    id: strawberry.ID
    queue_id: strawberry.ID
    invoice_id: strawberry.ID
    customer_id: strawberry.ID
    amount: Money
    position: int = strawberry.field(description="Order in which the customer's invoices are tried.")
    status: str = strawberry.field(description="queued, charging, paid, authorised, failed, action_required, "
                                               "skipped or cleared.")
    message: str
    payment_id: strawberry.ID | None
    generated_on: date

    @classmethod
    def from_model(cls, row: RowModel) -> PaymentQueueRow:
        return cls(id=strawberry.ID(encode_id("PaymentQueueRow", row.id)),
                   queue_id=strawberry.ID(encode_id("PaymentQueue", row.queue_id)),
                   invoice_id=strawberry.ID(encode_id("Invoice", row.invoice_id)),
                   customer_id=strawberry.ID(encode_id("Customer", row.customer_id)),
                   amount=_money(row.amount_minor, row.currency), position=row.position, status=row.status,
                   message=row.message, generated_on=row.generated_on,
                   payment_id=strawberry.ID(encode_id("Payment", row.payment_id)) if row.payment_id else None)


@strawberry.input
class PaymentQueueGenerateInput:
    run: bool = strawberry.field(default=False, description="Also start charging the new queue at once.")


@strawberry.type
class PaymentQueueGeneratePayload:
    queue_id: strawberry.ID | None = None
    rows: list[PaymentQueueRow] = strawberry.field(default_factory=list)
    skipped_reason: str = strawberry.field(default="", description="Why nothing was generated (passphrase mode).")
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.input
class PaymentQueueRunInput:
    queue_id: strawberry.ID


@strawberry.type
class PaymentQueueRunPayload:
    charged: int = strawberry.field(default=0, description="Charges started (the next ones follow their outcomes).")
    rows: list[PaymentQueueRow] = strawberry.field(default_factory=list)
    skipped_reason: str = ""
    errors: list[BillingError] = strawberry.field(default_factory=list)
