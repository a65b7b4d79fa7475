"""Who wants to know when an invoice is paid (the storefront's order flow, dunning): callbacks run inside
the paying transaction, with (session, invoice), in the order they were registered."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from comptoir.billing.models import Invoice

InvoicePaid = Callable[[Session, Invoice], None]

_paid: list[InvoicePaid] = []


def on_invoice_paid(callback: InvoicePaid) -> InvoicePaid:
    """Register `callback` (usable as a decorator); registering the same callable twice keeps one."""
    if callback not in _paid:
        _paid.append(callback)
    return callback


def invoice_paid(session: Session, invoice: Invoice) -> None:
    for callback in list(_paid):
        callback(session, invoice)
