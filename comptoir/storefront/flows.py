"""Order-to-provision (SPEC §5, issue 9 item 5): each step of an order is an intent (`order_steps`),
performed by a worker as system, retried with backoff, idempotent under a row lock on the order.

pending --(step "invoice": billed services + first invoice, order confirmation e-mail)--> invoiced
invoiced --(first invoice paid: staff's manual payment or a gateway's success)--> paid (+ step "provision")
paid --(step "provision": customer activated if the review allows, subscription, welcome e-mail,
        webhook order.completed)--> provisioning --> completed
A step that fails for good opens a to-do item and fails the order; staff retry it once fixed (`retry`).
A pending customer (manual fraud review) holds the provision step until staff activate it.
Automation wires the handler and the listeners (comptoir/automation/registry.py).
"""

from __future__ import annotations

import re
import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.billing import services as billed
from comptoir.billing import settlement
from comptoir.billing.models import BilledService, Invoice, InvoiceLine, PaymentAllocation
from comptoir.billing.rules import ServiceKind
from comptoir.domains import orders as domain_orders
from comptoir.domains.models import DomainOperation
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.hosting import subscriptions
from comptoir.hosting.models import IpPoolEntry, Subscription
from comptoir.hosting.usage import local_today
from comptoir.messaging import outbox
from comptoir.money import Money
from comptoir.payments.models import Payment
from comptoir.settings import get_settings
from comptoir.storefront import todos
from comptoir.storefront.models import Offer, Order, OrderStep, Store
from comptoir.storefront.rules import Cycle
from comptoir.tenancy.models import Customer
from comptoir.webhooks.service import EventType, emit

INVOICE, PROVISION = "invoice", "provision"
MAX_ATTEMPTS = 5  # the provisioning policy: then the step needs a person (a to-do item)
TODO_KIND = "order_step_failed"


class StepWaiting(Exception):
    """The step cannot go on yet (a customer under manual review): retried later, not an error of ours."""


def write_step(session: Session, *, seller_id: uuid.UUID, order_id: uuid.UUID, step: str) -> None:
    """The step's intent, once per order and step (a second write changes nothing)."""
    session.execute(insert(OrderStep).values(id=uuid.uuid4(), seller_id=seller_id, order_id=order_id, step=step)
                    .on_conflict_do_nothing(index_elements=["seller_id", "order_id", "step"]))


def perform(session: Session, step: OrderStep) -> None:
    """The intent handler: one attempt of the step, under a lock on the order."""
    order = session.get_one(Order, step.order_id, with_for_update=True, populate_existing=True)
    if step.step == INVOICE:
        _invoice(session, order)
    elif step.step == PROVISION:
        _provision(session, order)


def attempt_failed(session: Session, step: OrderStep, error: Exception) -> None:
    """After a failed attempt: the last one opens a to-do item and fails the order."""
    if isinstance(error, StepWaiting):  # waiting is no failure: the attempt is given back
        step.attempts = max(step.attempts - 1, 0)
        step.status, step.done_at = "pending", None
        return
    if step.status != "failed":
        return
    order = session.get_one(Order, step.order_id, with_for_update=True)
    order.status, order.updated_at = "failed", clock.now()
    todos.create(session, seller_id=order.seller_id, todo=todos.NewTodo(
        kind=TODO_KIND, subject=todos.Subject("Order", order.id), title=f"Order step '{step.step}' failed",
        details=step.last_error))


def retry(session: Session, *, seller_id: uuid.UUID, order_id: uuid.UUID) -> Order:
    """Staff, once the cause is fixed: the failed steps run again from a fresh count of attempts."""
    order = session.get(Order, order_id, with_for_update=True)
    if order is None or order.seller_id != seller_id:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No order with this id.", field="id")
    failed = list(session.scalars(select(OrderStep).where(OrderStep.seller_id == seller_id,
                                                          OrderStep.order_id == order_id,
                                                          OrderStep.status == "failed").with_for_update()))
    if order.status != "failed" or not failed:
        raise DomainError(CommonErrorCode.INVALID, "Only a failed order can be retried.", field="id")
    for step in failed:
        step.status, step.attempts, step.done_at, step.next_attempt_at = "pending", 0, None, func.now()
        order.status = "pending" if step.step == INVOICE else "paid"
    order.updated_at = clock.now()
    for item in session.scalars(select(todos.TodoItem).where(
            todos.TodoItem.seller_id == seller_id, todos.TodoItem.kind == TODO_KIND,
            todos.TodoItem.subject_id == order_id, todos.TodoItem.status == "open")):
        todos.mark_done(session, seller_id=seller_id, item_id=item.id)
    session.flush()
    # Re-armed rows are not announced (only new intents are): the relay hands them out on its next round.
    return order


# ---- step "invoice" ------------------------------------------------------------------------------

def _hosting_lines(order: Order) -> list[dict[str, object]]:
    return [line for line in order.lines if line.get("offer_id")]


def _invoice(session: Session, order: Order) -> None:
    if order.status != "pending":
        return  # done before (or cancelled by the review): nothing twice
    # A step's attempt is one savepoint: services and invoice are written together or not at all.
    today = local_today(session, order.seller_id)
    services: list[BilledService] = []
    for line in _hosting_lines(order):
        offer = session.get_one(Offer, uuid.UUID(str(line["offer_id"])))
        services.append(billed.start_service(
            session, seller_id=order.seller_id, customer_id=order.customer_id, kind=ServiceKind.HOSTING,
            description=str(line["name"]), currency=order.currency, cycle=Cycle(line["cycle"]),
            price_minor=int(line["recurring"]), started_on=today, store_id=order.store_id, plan_id=offer.plan_id))
    setup = {service.id: int(line["setup"]) for service, line in zip(services, _hosting_lines(order))}
    invoice = billed.issue_first_invoice(session, seller_id=order.seller_id, service_ids=[s.id for s in services],
                                         today=today, order_id=order.id, setup_fees=setup) if services else None
    order.status, order.updated_at = "invoiced", clock.now()
    customer = session.get_one(Customer, order.customer_id)
    outbox.enqueue(session=session, seller_id=order.seller_id, customer_id=customer.id, to_address=customer.email,
                   template="order_confirmation", language=customer.locale or "en", variables={
                       "name": customer.contact_name, "order_number": invoice.number if invoice else str(order.id),
                       "total": Money(order.total, order.currency).formatted(customer.locale or "en"),
                       "link": _login_link(session, order)})
    session.flush()
    for payment in _early_payments(session, order):  # paid by card before this step ran
        _record(session, order, invoice, payment)
    if invoice is None or invoice.status == "paid":  # nothing to pay (free order), or paid already
        _mark_paid(session, order)


def first_invoice(session: Session, order: Order) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.seller_id == order.seller_id, Invoice.order_id == order.id)
                           .order_by(Invoice.issue_date)).first()


# ---- payment ---------------------------------------------------------------------------------------

def on_invoice_paid(session: Session, invoice: Invoice) -> None:
    """Billing listener: the order's first invoice paid → the order is paid and provisioning is due."""
    if invoice.order_id is None:
        return
    order = session.get(Order, invoice.order_id, with_for_update=True)
    if order is not None:
        _mark_paid(session, order)


def _mark_paid(session: Session, order: Order) -> None:
    if order.status not in ("pending", "invoiced"):
        return
    order.status, order.updated_at = "paid", clock.now()
    write_step(session, seller_id=order.seller_id, order_id=order.id, step=PROVISION)
    session.flush()


def on_payment_succeeded(session: Session, payment: object) -> None:
    """Payments listener: a gateway's money for an order goes to its first invoice (once per payment)."""
    purpose = getattr(payment, "purpose", None) or {}
    try:
        order_id = uuid.UUID(str(purpose["order_id"]))
    except (KeyError, ValueError):
        return  # not an order's payment (or a reference of another system)
    order = session.get(Order, order_id)
    invoice = first_invoice(session, order) if order is not None else None
    if order is None or invoice is None:
        return
    _record(session, order, invoice, payment)


def _record(session: Session, order: Order, invoice: Invoice | None, payment: object) -> None:
    """The gateway's money against the order's first invoice, once per payment."""
    payment_id = getattr(payment, "id")
    if invoice is None or session.scalars(select(PaymentAllocation.id)
                                          .where(PaymentAllocation.payment_id == payment_id)).first():
        return
    settlement.record_payment(session, seller_id=order.seller_id, customer_id=order.customer_id,
                              amount=Money(getattr(payment, "amount"), getattr(payment, "currency")),
                              method="card", reference=str(payment_id), invoice_ids=[invoice.id],
                              on=local_today(session, order.seller_id), payment_id=payment_id)


def _early_payments(session: Session, order: Order) -> list[Payment]:
    return list(session.scalars(select(Payment).where(
        Payment.seller_id == order.seller_id, Payment.purpose["order_id"].astext == str(order.id),
        Payment.status == "captured").order_by(Payment.created_at)))


# ---- step "provision" ------------------------------------------------------------------------------

def _provision(session: Session, order: Order) -> None:
    if order.status not in ("paid", "provisioning"):
        return
    customer = session.get_one(Customer, order.customer_id, with_for_update=True)
    if customer.status == "pending":
        raise StepWaiting("The customer awaits the seller's review; activate it to go on.")
    if customer.status != "active":
        order.status, order.updated_at = "cancelled", clock.now()
        return
    order.status, order.updated_at = "provisioning", clock.now()
    waiting = False
    for service, line in _pairs(session, order):
        if service.subject_id is None:
            if not _domain_ready(session, order, line):
                waiting = True  # the registrar's answer re-arms this step (on_domain_ready)
                continue
            subscription = subscriptions.create(session, seller_id=order.seller_id, new=subscriptions.NewSubscription(
                domain_name=str(line.get("domain_name") or ""), ip_pool_id=_default_ip(session, order.seller_id),
                system_login=_system_login(str(line.get("domain_name") or "site")),
                system_password=secrets.token_urlsafe(24), customer_id=customer.id, plan_id=service.plan_id))
            service.subject_id = subscription.id
            if service.paid_through is not None:  # billing drives its expiry from now on (paid periods)
                subscription.expiration_date = service.paid_through
    if waiting:
        session.flush()
        return
    order.status, order.updated_at = "completed", clock.now()
    outbox.enqueue(session=session, seller_id=order.seller_id, customer_id=customer.id, to_address=customer.email,
                   template="welcome", language=customer.locale or "en", variables={
                       "name": customer.contact_name, "username": customer.email,
                       "login_link": _login_link(session, order)})
    emit(session, seller_id=order.seller_id, event_type=EventType.ORDER_COMPLETED, data={"order": {
        "id": str(order.id), "customerId": str(order.customer_id), "status": order.status,
        "total": order.total, "currency": order.currency}})
    session.flush()


def _domain_ready(session: Session, order: Order, line: dict[str, object]) -> bool:
    """A domain to register or transfer goes through the domain step first (once per order and name)."""
    action = str(line.get("domain_action") or "use_own")
    if action not in ("register", "transfer"):
        return True
    operation = domain_orders.start_domain_step(session, seller_id=order.seller_id, customer_id=order.customer_id,
                                                order_id=order.id, name=str(line["domain_name"]), action=action,
                                                years=1)
    return operation.status == "done"


def on_domain_ready(session: Session, domain: object, operation: DomainOperation) -> None:
    """Domains listener: the order's domain is registered (or transferred): its provision step runs again."""
    if operation.order_id is None:
        return
    order = session.get(Order, operation.order_id, with_for_update=True)
    if order is None or order.status != "provisioning":
        return
    step = session.scalars(select(OrderStep).where(OrderStep.seller_id == order.seller_id,
                                                   OrderStep.order_id == order.id, OrderStep.step == PROVISION)
                           .with_for_update()).one_or_none()
    if step is not None:
        step.status, step.attempts, step.done_at, step.next_attempt_at = "pending", 0, None, func.now()
        session.flush()


def _services_of(session: Session, order: Order) -> list[BilledService]:
    """The order's billed services: those its first invoice bills, in the order of the order's lines."""
    invoice = first_invoice(session, order)
    if invoice is None:
        return []
    billed_ids = select(InvoiceLine.service_id).where(InvoiceLine.invoice_id == invoice.id)
    return list(session.scalars(select(BilledService).where(BilledService.id.in_(billed_ids))
                                .order_by(BilledService.created_at, BilledService.id)))


def _pairs(session: Session, order: Order) -> list[tuple[BilledService, dict[str, object]]]:
    """Each billed service with the order line it was started for: a hosted one by its subscription's
    domain, the others by name, cycle and price (lines alike in these are interchangeable)."""
    free = list(_hosting_lines(order))
    services = _services_of(session, order)
    hosted = {s.id: session.get_one(Subscription, s.subject_id).domain_name for s in services if s.subject_id}
    pairs = []
    for service in sorted(services, key=lambda s: s.subject_id is None):
        def fits(line: dict[str, object], service: BilledService = service) -> bool:
            if service.id in hosted:
                return str(line.get("domain_name") or "").lower() == hosted[service.id]
            return (line.get("name"), line.get("cycle"), int(str(line.get("recurring", 0)))) == (
                service.description, service.cycle, service.price_minor)
        line = next((candidate for candidate in free if fits(candidate)), None)
        if line is not None:
            free.remove(line)
            pairs.append((service, line))
    return pairs


def _default_ip(session: Session, seller_id: uuid.UUID) -> uuid.UUID:
    """The seller's first shared address (its default pool entry)."""
    entry = session.scalars(select(IpPoolEntry).where(IpPoolEntry.seller_id == seller_id, IpPoolEntry.type == "shared")
                            .order_by(IpPoolEntry.created_at, IpPoolEntry.id)).first()
    if entry is None:
        raise DomainError(CommonErrorCode.INVALID, "No shared IP address in the seller's pool.", field="ipPoolId")
    return entry.id


def _system_login(domain: str) -> str:
    stem = re.sub(r"[^a-z0-9]", "", domain.lower().split(".")[0])[:20] or "site"
    return f"{stem if stem[0].isalpha() else 'u' + stem}{secrets.randbelow(10**6):06d}"[:32]


def _login_link(session: Session, order: Order) -> str:
    store = session.get(Store, order.store_id)
    if store is not None and store.hostnames:
        return f"https://{store.hostnames[0]}/login"
    return f"{get_settings().public_url.rstrip('/')}/login"


def subscription_of(session: Session, order: Order) -> Subscription | None:
    service = next((s for s in _services_of(session, order) if s.subject_id), None)
    return session.get(Subscription, service.subject_id) if service else None
