"""Who hears about payment outcomes: billing (ledger entries, invoices paid) and the storefront's order
flow register here; payments know neither. Each callback(session, payment) runs inside the transaction
that recorded the outcome, so what it writes commits (or rolls back) with it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from comptoir.payments.models import Payment

Listener = Callable[[Session, Payment], None]

_listeners: dict[str, list[Listener]] = {
    "succeeded": [], "failed": [], "action_required": [], "refunded": [], "authorised": []}


def on_payment_succeeded(callback: Listener) -> Listener:
    """Money captured (card, external, manual, or a late answer after an error)."""
    _listeners["succeeded"].append(callback)
    return callback


def on_payment_authorised(callback: Listener) -> Listener:
    """Authorised only: captured later (or voided)."""
    _listeners["authorised"].append(callback)
    return callback


def on_payment_failed(callback: Listener) -> Listener:
    """Declined (payment.decline: soft or hard; hard declines must never be retried), errored or voided."""
    _listeners["failed"].append(callback)
    return callback


def on_action_required(callback: Listener) -> Listener:
    """The bank wants the customer to authenticate: not a failure, and never to be retried blindly."""
    _listeners["action_required"].append(callback)
    return callback


def on_refunded(callback: Listener) -> Listener:
    """A refund went through; the refund rows of the payment say how much each time."""
    _listeners["refunded"].append(callback)
    return callback


def remove(callback: Listener) -> None:
    for callbacks in _listeners.values():
        if callback in callbacks:
            callbacks.remove(callback)


def announce(event: str, session: Session, payment: Payment) -> None:
    for callback in list(_listeners[event]):
        callback(session, payment)
