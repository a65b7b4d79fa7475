"""Order-to-provision (issue 9 item 5): checkout → first invoice → payment → subscription → welcome, each
step an intent performed here by hand as a worker would."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from comptoir.automation import intents
from comptoir.billing.models import BilledService, Invoice, LedgerEntry, PaymentAllocation
from comptoir.database.engine import session_scope
from comptoir.domains.models import DomainOperation
from comptoir.hosting.models import Subscription
from comptoir.messaging.models import OutboundEmail
from comptoir.payments import gateways
from comptoir.payments.checkout import MethodInput, pay_for_order
from comptoir.payments.drivers.base import CardInput
from comptoir.payments.models import Payment, PaymentCharge
from comptoir.schema.ids import decode_id, encode_id
from comptoir.storefront import access, flows, todos
from comptoir.storefront.models import Order, OrderStep
from comptoir.storefront.review import ReviewAction, review
from comptoir.storefront.rules import FraudPolicy
from comptoir.tenancy.context import Role, TenantContext
from comptoir.webhooks import service as webhooks
from comptoir.webhooks.models import WebhookDelivery
from tests import factories
from tests.domains.support import add_registrar
from tests.hosting import support as hosting
from tests.payments import support as payments_support
from tests.storefront.support import ShopFixture, shop
from tests.storefront.test_cart_changes import LINES_ADD, line, new_cart
from tests.storefront.test_checkout_api import BUYER, BUYER_DETAILS, COMPLETE, PAY, TERMS, ready_cart

PAYMENT = """mutation($customer: ID!, $amount: String!) {
  invoicePaymentRecord(input: {customerId: $customer, amount: $amount, currency: "EUR", method: BANK_TRANSFER,
                               reference: "TR-1"}) {
    invoices { number status } errors { code field message } } }"""
RETRY = "mutation($id: ID!) { orderRetry(input: {id: $id}) { order { id status } errors { code field message } } }"


def system(seller_id: uuid.UUID) -> TenantContext:
    return TenantContext(Role.SYSTEM, seller_id)


PROVIDERS: dict[uuid.UUID, uuid.UUID] = {}
CARTS: dict[uuid.UUID, access.CartToken] = {}  # order id → the visitor's cart token


def seller(*, with_ip: bool = True, policy: FraudPolicy | None = None) -> ShopFixture:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    PROVIDERS[alpha.seller_id] = provider.seller_id
    if with_ip:
        hosting.pool_entry(provider.seller_id, alpha.seller_id)
    return shop(alpha.seller_id, "alpha-shop", policy=policy)


async def checkout(client: Any, fixture: ShopFixture, key: str = "k1") -> uuid.UUID:
    cart_id = await ready_cart(client, fixture)
    answer = (await client.execute(COMPLETE, {"cart": cart_id, "key": key}))["data"]["checkoutComplete"]
    assert answer["errors"] == [], answer
    order_id = decode_id(answer["order"]["id"], "Order")
    CARTS[order_id] = access.CartToken.parse(cart_id)
    return order_id


def steps(seller_id: uuid.UUID, order_id: uuid.UUID) -> dict[str, OrderStep]:
    with session_scope(system(seller_id)) as session:
        rows = session.scalars(select(OrderStep).where(OrderStep.order_id == order_id)).all()
        session.expunge_all()
        return {row.step: row for row in rows}


def perform(seller_id: uuid.UUID, order_id: uuid.UUID, step: str) -> str:
    return intents.perform("order_step", seller_id, steps(seller_id, order_id)[step].id)


def order_of(seller_id: uuid.UUID, order_id: uuid.UUID) -> Order:
    with session_scope(system(seller_id)) as session:
        order = session.get_one(Order, order_id)
        session.expunge(order)
        return order


def count(seller_id: uuid.UUID, statement: Any) -> int:
    with session_scope(system(seller_id)) as session:
        return int(session.scalar(statement) or 0)


async def pay_by_staff(client: Any, fixture: ShopFixture, order_id: uuid.UUID) -> None:
    order = order_of(fixture.seller_id, order_id)
    with session_scope(system(fixture.seller_id)) as session:
        invoice = session.scalars(select(Invoice).where(Invoice.order_id == order_id)).one()
        total = invoice.total
    token = await client.login("alpha", factories.PASSWORD)
    answer = await client.execute(PAYMENT, {"customer": encode_id("Customer", order.customer_id),
                                            "amount": f"{total / 100:.2f}"}, token=token)
    payload = answer["data"]["invoicePaymentRecord"]
    assert payload["errors"] == [] and payload["invoices"][0]["status"] == "PAID", payload


async def test_manual_payment_takes_the_order_from_checkout_to_a_completed_subscription(client: Any) -> None:
    # given an order checked out with a bank transfer, and a webhook endpoint for completed orders
    fixture = seller()
    with session_scope(TenantContext(Role.RESELLER, fixture.seller_id)) as session:
        webhooks.create_endpoint(session, seller_id=fixture.seller_id, given=webhooks.EndpointInput(
            url="https://hooks.example.com/orders", event_types=(webhooks.EventType.ORDER_COMPLETED,)))
    order_id = await checkout(client, fixture)
    assert set(steps(fixture.seller_id, order_id)) == {"invoice"}
    # when the invoice step runs, staff record the transfer and the provision step runs
    assert perform(fixture.seller_id, order_id, "invoice") == "done"
    assert order_of(fixture.seller_id, order_id).status == "invoiced"
    await pay_by_staff(client, fixture, order_id)
    assert order_of(fixture.seller_id, order_id).status == "paid"
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    # then
    order = order_of(fixture.seller_id, order_id)
    assert order.status == "completed"
    with session_scope(system(fixture.seller_id)) as session:
        subscription = session.scalars(select(Subscription).where(Subscription.customer_id == order.customer_id)).one()
        assert subscription.domain_name == "example.org"
        service = session.scalars(select(BilledService).where(BilledService.subject_id == subscription.id)).one()
        assert service.paid_through is not None and subscription.expiration_date == service.paid_through
        invoice = session.scalars(select(Invoice).where(Invoice.order_id == order_id)).one()
        assert invoice.status == "paid" and invoice.total == order.total
        templates = session.scalars(select(OutboundEmail.template).where(
            OutboundEmail.customer_id == order.customer_id)).all()
        assert {"order_confirmation", "welcome", "invoice_issued"} <= set(templates)
        delivery = session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_type == "order.completed")).one()
        assert delivery.payload["data"]["order"]["id"] == str(order_id)
        entries = session.scalars(select(LedgerEntry).where(LedgerEntry.seller_id == fixture.seller_id)).all()
        assert entries and sum(e.debit_minor - e.credit_minor for e in entries) == 0


async def test_performing_each_step_twice_creates_nothing_twice(client: Any) -> None:
    fixture = seller()
    order_id = await checkout(client, fixture)
    for _ in range(2):
        perform(fixture.seller_id, order_id, "invoice")
    with session_scope(system(fixture.seller_id)) as session:  # a duplicate delivery of a done step re-armed
        session.scalars(select(OrderStep).where(OrderStep.order_id == order_id)).one().status = "pending"
    assert perform(fixture.seller_id, order_id, "invoice") == "done"
    await pay_by_staff(client, fixture, order_id)
    for _ in range(2):
        perform(fixture.seller_id, order_id, "provision")
    with session_scope(system(fixture.seller_id)) as session:
        session.scalars(select(OrderStep).where(OrderStep.order_id == order_id,
                                                OrderStep.step == "provision")).one().status = "pending"
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    customer_id = order_of(fixture.seller_id, order_id).customer_id
    assert count(fixture.seller_id, select(func.count()).select_from(Invoice).where(Invoice.order_id == order_id)) == 1
    assert count(fixture.seller_id, select(func.count()).select_from(Subscription)
                 .where(Subscription.customer_id == customer_id)) == 1
    assert count(fixture.seller_id, select(func.count()).select_from(PaymentAllocation)) == 1
    assert count(fixture.seller_id, select(func.count()).select_from(OutboundEmail)
                 .where(OutboundEmail.template == "welcome")) == 1


async def test_a_step_failing_for_good_opens_a_todo_and_staff_retry_completes_the_order(client: Any) -> None:
    # given a seller without any IP address to host on
    fixture = seller(with_ip=False)
    order_id = await checkout(client, fixture)
    perform(fixture.seller_id, order_id, "invoice")
    await pay_by_staff(client, fixture, order_id)
    # when the provision step fails every attempt
    for _ in range(flows.MAX_ATTEMPTS):
        status = perform(fixture.seller_id, order_id, "provision")
    # then
    assert status == "failed" and order_of(fixture.seller_id, order_id).status == "failed"
    with session_scope(system(fixture.seller_id)) as session:
        item = session.scalars(select(todos.TodoItem).where(todos.TodoItem.subject_id == order_id)).one()
        assert item.kind == "order_step_failed" and "IP address" in item.details
    # when staff add an address and retry
    hosting.pool_entry(PROVIDERS[fixture.seller_id], fixture.seller_id)
    token = await client.login("alpha", factories.PASSWORD)
    answer = (await client.execute(RETRY, {"id": encode_id("Order", order_id)}, token=token))["data"]["orderRetry"]
    assert answer["errors"] == [] and answer["order"]["status"] == "paid", answer
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    # then
    assert order_of(fixture.seller_id, order_id).status == "completed"
    with session_scope(system(fixture.seller_id)) as session:
        assert session.scalars(select(todos.TodoItem.status).where(todos.TodoItem.subject_id == order_id)).one() == "done"


def card_gateway(fixture: ShopFixture) -> uuid.UUID:
    with session_scope(TenantContext(Role.RESELLER, fixture.seller_id)) as session:
        card = gateways.create(session, seller_id=fixture.seller_id, name="Cards", driver="sandbox_card",
                               settings={"merchant_id": "m_1", "api_key": payments_support.API_KEY})
        gateways.set_store_gateways(session, seller_id=fixture.seller_id, store_id=fixture.store_id,
                                    config_ids=[card.id])
        return card.id


def pay_by_card(fixture: ShopFixture, order_id: uuid.UUID, gateway_id: uuid.UUID, number: str, key: str) -> str:
    """The visitor presenting its cart pays (pay_for_order), then a worker performs the charge."""
    token = CARTS[order_id]
    with session_scope(None) as session, access.visiting(session, access.StoreRef(fixture.store_id, fixture.seller_id),
                                                         cart=token):
        order = session.get_one(Order, order_id)
        payment_id = pay_for_order(session, order=order, method_input=MethodInput(
            gateway_id, key, card=CardInput(number, 12, 2030, "123", "Ada Buyer"))).id
    with session_scope(system(fixture.seller_id)) as session:
        charge = session.scalars(select(PaymentCharge).where(PaymentCharge.payment_id == payment_id)).one()
        charge_id = charge.id
    intents.perform("payment_charge", fixture.seller_id, charge_id)
    with session_scope(system(fixture.seller_id)) as session:
        return session.get_one(Payment, payment_id).status


async def test_a_sandbox_card_that_approves_completes_the_order_without_staff(client: Any) -> None:
    fixture = seller()
    gateway_id = card_gateway(fixture)
    order_id = await checkout(client, fixture)
    perform(fixture.seller_id, order_id, "invoice")
    assert pay_by_card(fixture, order_id, gateway_id, "4242424242424242", "pay-1") == "captured"
    assert order_of(fixture.seller_id, order_id).status == "paid"
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    assert order_of(fixture.seller_id, order_id).status == "completed"
    with session_scope(system(fixture.seller_id)) as session:
        assert session.scalars(select(Invoice.status).where(Invoice.order_id == order_id)).one() == "paid"


async def test_a_declined_card_leaves_the_order_invoiced_and_the_buyer_pays_with_another(client: Any) -> None:
    fixture = seller()
    gateway_id = card_gateway(fixture)
    order_id = await checkout(client, fixture)
    perform(fixture.seller_id, order_id, "invoice")
    assert pay_by_card(fixture, order_id, gateway_id, "4000000000009995", "pay-1") == "failed"
    assert order_of(fixture.seller_id, order_id).status == "invoiced"
    assert set(steps(fixture.seller_id, order_id)) == {"invoice"}
    assert pay_by_card(fixture, order_id, gateway_id, "4242424242424242", "pay-2") == "captured"
    assert order_of(fixture.seller_id, order_id).status == "paid"



async def test_a_domain_to_register_goes_through_the_domain_step_before_its_subscription(client: Any) -> None:
    # given an order whose line registers a free name through the seller's sandbox registrar
    fixture = seller()
    add_registrar(fixture.seller_id, tlds=["com"])
    cart_id = await new_cart(client, fixture)
    added = (await client.execute(LINES_ADD, {"cart": cart_id, "lines": [
        line(fixture, domain={"action": "register", "name": "fresh-name.com"})]}))["data"]["cartLinesAdd"]
    assert added["errors"] == [] and not {p["code"] for p in added["cart"]["problems"]} & {"DOMAIN_TAKEN", "TLD_NOT_SOLD"}
    for query, variables in ((BUYER, {"buyer": BUYER_DETAILS}), (PAY, {}), (TERMS, {"v": 1})):
        assert next(iter((await client.execute(query, {"cart": cart_id, **variables}))["data"].values()))["errors"] == []
    answer = (await client.execute(COMPLETE, {"cart": cart_id, "key": "d1"}))["data"]["checkoutComplete"]
    order_id = decode_id(answer["order"]["id"], "Order")
    perform(fixture.seller_id, order_id, "invoice")
    await pay_by_staff(client, fixture, order_id)
    # when the provision step runs: the registration is started, no subscription yet
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    assert order_of(fixture.seller_id, order_id).status == "provisioning"
    with session_scope(system(fixture.seller_id)) as session:
        operation_id = session.scalars(select(DomainOperation.id).where(DomainOperation.order_id == order_id)).one()
    # when the registrar registers the name: the step is re-armed and completes the order
    assert intents.perform("domain_operation", fixture.seller_id, operation_id) == "done"
    assert steps(fixture.seller_id, order_id)["provision"].status == "pending"
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    assert order_of(fixture.seller_id, order_id).status == "completed"
    with session_scope(system(fixture.seller_id)) as session:
        assert session.scalars(select(Subscription.domain_name).where(
            Subscription.customer_id == order_of(fixture.seller_id, order_id).customer_id)).one() == "fresh-name.com"


async def test_a_customer_under_manual_review_holds_provisioning_until_activated(client: Any) -> None:
    fixture = seller(policy=FraudPolicy(manual_review=True))
    order_id = await checkout(client, fixture)
    perform(fixture.seller_id, order_id, "invoice")
    await pay_by_staff(client, fixture, order_id)
    # waiting is not failing: the step stays due with no attempt used, the order paid, nothing created
    for _ in range(flows.MAX_ATTEMPTS + 1):
        assert perform(fixture.seller_id, order_id, "provision") == "pending"
    step = steps(fixture.seller_id, order_id)["provision"]
    assert step.attempts == 0 and "review" in step.last_error
    order = order_of(fixture.seller_id, order_id)
    assert order.status == "paid"
    assert count(fixture.seller_id, select(func.count()).select_from(Subscription)
                 .where(Subscription.customer_id == order.customer_id)) == 0
    with session_scope(TenantContext(Role.RESELLER, fixture.seller_id)) as session:
        review(session, customer_id=order.customer_id, action=ReviewAction.ACTIVATE)
    assert perform(fixture.seller_id, order_id, "provision") == "done"
    assert order_of(fixture.seller_id, order_id).status == "completed"


async def test_a_card_paid_before_the_invoice_step_settles_the_invoice_when_it_is_issued(client: Any) -> None:
    fixture = seller()
    gateway_id = card_gateway(fixture)
    order_id = await checkout(client, fixture)
    assert pay_by_card(fixture, order_id, gateway_id, "4242424242424242", "pay-early") == "captured"
    assert order_of(fixture.seller_id, order_id).status == "pending"
    assert perform(fixture.seller_id, order_id, "invoice") == "done"
    assert order_of(fixture.seller_id, order_id).status == "paid"
    assert count(fixture.seller_id, select(func.count()).select_from(PaymentAllocation)) == 1
