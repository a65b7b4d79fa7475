"""Query and Mutation fields of billing."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import billing as resolvers
from comptoir.resolvers import payment_queue as queue_resolvers
from comptoir.schema.base import Connection
from comptoir.schema.billing import (
    BillingSettings,
    BillingSettingsUpdatePayload,
    CreditNoteCreatePayload,
    CustomerCreditAddPayload,
    CustomerStatement,
    Invoice,
    InvoicePayload,
    InvoicePaymentRecordPayload,
    InvoiceResendPayload,
    InvoicesGeneratePayload,
)
from comptoir.schema.payment_queue import (
    PaymentQueueGeneratePayload,
    PaymentQueueRow,
    PaymentQueueRunPayload,
)
from comptoir.schema.permissions import IsAuthenticated, IsStaff


@strawberry.type
class BillingQuery:
    invoices: Connection[Invoice] = strawberry.field(
        resolver=resolvers.invoices, permission_classes=[IsAuthenticated],
        description="Staff: the seller's invoices and credit notes; a customer: its own. Newest first by default.")
    billing_settings: BillingSettings = strawberry.field(resolver=resolvers.billing_settings_query,
                                                         permission_classes=[IsStaff])
    customer_statement: CustomerStatement = strawberry.field(
        resolver=resolvers.customer_statement, permission_classes=[IsAuthenticated],
        description="Invoices, payments, credits and the running balance in one currency (a customer: its own; "
                    "customerId is then ignored).")
    payment_queue: list[PaymentQueueRow] = strawberry.field(
        resolver=queue_resolvers.payment_queue_rows, permission_classes=[IsStaff],
        description="The rows of a payment queue (queueId), else of every queue, to review before running it.")


@strawberry.type
class BillingMutation:
    billing_settings_update: BillingSettingsUpdatePayload = strawberry.mutation(
        resolver=resolvers.billing_settings_update, permission_classes=[IsStaff])
    invoices_generate: InvoicesGeneratePayload = strawberry.mutation(
        resolver=resolvers.invoices_generate, permission_classes=[IsStaff],
        description="Issue every invoice due today (what the daily ProcessInvoices does); dryRun only tells.")
    invoice_create: InvoicePayload = strawberry.mutation(
        resolver=resolvers.invoice_create, permission_classes=[IsStaff],
        description="A manual invoice of one-off charges, issued at once.")
    invoice_payment_record: InvoicePaymentRecordPayload = strawberry.mutation(
        resolver=resolvers.invoice_payment_record, permission_classes=[IsStaff],
        description="Quick manual payment (cheque, bank transfer, cash); what is left over becomes credit.")
    invoice_resend: InvoiceResendPayload = strawberry.mutation(
        resolver=resolvers.invoice_resend, permission_classes=[IsStaff],
        description="E-mail an issued invoice again to its recipients, with its stored PDF (the same bytes).")
    credit_note_create: CreditNoteCreatePayload = strawberry.mutation(
        resolver=resolvers.credit_note_create, permission_classes=[IsStaff])
    customer_credit_add: CustomerCreditAddPayload = strawberry.mutation(
        resolver=resolvers.customer_credit_add, permission_classes=[IsStaff])
    payment_queue_generate: PaymentQueueGeneratePayload = strawberry.mutation(
        resolver=queue_resolvers.payment_queue_generate, permission_classes=[IsStaff],
        description="Generate a payment queue from today's due invoices per the queue settings (run: charge it).")
    payment_queue_run: PaymentQueueRunPayload = strawberry.mutation(
        resolver=queue_resolvers.payment_queue_run, permission_classes=[IsStaff],
        description="Charge a generated queue: each customer's invoices in order, per the queue settings.")
