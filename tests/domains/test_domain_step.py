"""The domain step of an order: register, transfer, delayed completion, renewal, failures that need a person."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from comptoir import clock
from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.domains import listeners, orders
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import Domain, DomainOperation
from comptoir.messaging.models import OutboundEmail
from comptoir.provisioning.sandbox_registrar import add_years, auth_code_for
from comptoir.storefront import todos
from tests.domains.support import Registrar, seller_with_registrar, system


def start(fixture: Registrar, name: str, action: str = "register", *, years: int = 1, auth_code: str = "",
          order_id: uuid.UUID | None = None) -> uuid.UUID:
    with session_scope(system(fixture.seller.seller_id)) as session:
        return orders.start_domain_step(session, seller_id=fixture.seller.seller_id,
                                        customer_id=fixture.customer.customer_id, order_id=order_id or uuid.uuid4(),
                                        name=name, action=action, years=years, auth_code=auth_code).id


def perform(fixture: Registrar, operation_id: uuid.UUID) -> str:
    return intents.perform("domain_operation", fixture.seller.seller_id, operation_id)


def domain(fixture: Registrar, name: str) -> Domain:
    with session_scope(system(fixture.seller.seller_id)) as session:
        found = session.scalars(select(Domain).where(Domain.name == name)).one()
        session.expunge(found)
        return found


def open_todos(fixture: Registrar) -> list[todos.TodoItem]:
    with session_scope(system(fixture.seller.seller_id)) as session:
        items = list(session.scalars(select(todos.TodoItem).where(todos.TodoItem.status == "open")))
        session.expunge_all()
        return items


def emails(fixture: Registrar) -> list[str]:
    with session_scope(system(fixture.seller.seller_id)) as session:
        return list(session.scalars(select(OutboundEmail.subject).where(OutboundEmail.template == "domain_status")))


def test_registering_an_available_name_records_the_active_domain_with_the_registrars_expiry(published_intents) -> None:  # type: ignore[no-untyped-def]
    fixture = seller_with_registrar()
    operation = start(fixture, "My-Shop.com", years=2)
    assert published_intents["domain_operation"] == [(fixture.seller.seller_id, operation)]
    assert domain(fixture, "my-shop.com").status == "pending"
    assert perform(fixture, operation) == "done"
    found = domain(fixture, "my-shop.com")
    assert (found.status, found.expires_on, found.registered_on) == (
        "active", add_years(clock.today(), 2), clock.today())
    assert found.customer_id == fixture.customer.customer_id and found.registrar_account_id == fixture.account_id
    assert perform(fixture, operation) == "done"  # performing again changes nothing
    assert emails(fixture) == ["my-shop.com: active"]


def test_the_same_order_and_name_give_the_one_operation() -> None:
    fixture = seller_with_registrar()
    order_id = uuid.uuid4()
    assert start(fixture, "once.com", order_id=order_id) == start(fixture, "once.com", order_id=order_id)


def test_a_transfer_with_the_right_auth_code_completes(published_intents) -> None:  # type: ignore[no-untyped-def]
    fixture = seller_with_registrar()
    operation = start(fixture, "moving.net", "transfer", auth_code=auth_code_for("moving.net"))
    assert domain(fixture, "moving.net").status == "transfer_pending"
    assert perform(fixture, operation) == "done"
    found = domain(fixture, "moving.net")
    assert found.status == "active" and found.auth_code and auth_code_for("moving.net") not in found.auth_code


def test_a_transfer_with_a_wrong_auth_code_fails_with_a_todo_and_an_email() -> None:
    fixture = seller_with_registrar()
    order_id = uuid.uuid4()
    operation = start(fixture, "moving.net", "transfer", auth_code="WRONG", order_id=order_id)
    assert perform(fixture, operation) == "failed"
    assert domain(fixture, "moving.net").status == "failed"
    [item] = open_todos(fixture)
    assert (item.kind, item.subject_type, item.subject_id) == ("domain_operation_failed", "Order", order_id)
    assert "auth code" in item.details
    assert emails(fixture) == ["moving.net: failed"]


def test_a_transfer_without_an_auth_code_is_refused_before_any_intent() -> None:
    fixture = seller_with_registrar()
    with pytest.raises(DomainsError) as refused:
        start(fixture, "moving.net", "transfer")
    assert (refused.value.code, refused.value.field) == (DomainsErrorCode.AUTH_CODE_REQUIRED, "authCode")


def test_a_registration_the_registrar_refuses_needs_a_person() -> None:
    fixture = seller_with_registrar()
    operation = start(fixture, "will-fail.com")
    assert perform(fixture, operation) == "failed"
    [item] = open_todos(fixture)
    assert item.title == "Could not register will-fail.com"
    with session_scope(system(fixture.seller.seller_id)) as session:
        assert session.get_one(DomainOperation, operation).last_error.startswith("will-fail.com: the registrar refused")


def test_an_unreachable_registrar_is_retried_then_needs_a_person() -> None:
    fixture = seller_with_registrar()
    operation = start(fixture, "timeout-shop.com")
    for _ in range(orders.MAX_ATTEMPTS - 1):
        assert perform_when_due(fixture, operation) == "pending"
        assert open_todos(fixture) == []
    assert perform_when_due(fixture, operation) == "failed"
    assert [item.kind for item in open_todos(fixture)] == ["domain_operation_failed"]


def perform_when_due(fixture: Registrar, operation_id: uuid.UUID) -> str:
    with session_scope(system(fixture.seller.seller_id)) as session:  # time passes: the retry is due
        session.get_one(DomainOperation, operation_id).next_attempt_at = clock.now()
    return perform(fixture, operation_id)


def test_a_delayed_registration_stays_pending_and_completes_when_polled() -> None:
    fixture = seller_with_registrar(delayed=True, polls_until_active=2)
    ready: list[str] = []
    callback = listeners.on_domain_ready(lambda session, found, operation: ready.append(found.name))
    try:
        operation = start(fixture, "later.org")
        assert perform(fixture, operation) == "pending"
        with session_scope(system(fixture.seller.seller_id)) as session:
            row = session.get_one(DomainOperation, operation)
            assert row.next_attempt_at > clock.now() and row.attempts == 0
        assert domain(fixture, "later.org").status == "pending" and ready == []
        assert perform_when_due(fixture, operation) == "pending"  # first poll: not yet
        assert perform_when_due(fixture, operation) == "done"  # second poll: registered
    finally:
        listeners.remove(callback)
    assert domain(fixture, "later.org").status == "active" and ready == ["later.org"]


def test_a_taken_name_cannot_be_registered() -> None:
    fixture = seller_with_registrar()
    operation = start(fixture, "taken-name.com")
    assert perform(fixture, operation) == "failed"
    assert "not available" in open_todos(fixture)[0].details


def test_a_suspended_tld_is_refused_before_any_intent() -> None:
    fixture = seller_with_registrar(tlds=["com"])
    with pytest.raises(DomainsError) as refused:
        start(fixture, "example.de")
    assert refused.value.code is DomainsErrorCode.TLD_NOT_ACTIVE


def test_renewing_moves_the_expiry_date_by_the_years() -> None:
    fixture = seller_with_registrar()
    perform(fixture, start(fixture, "keep.com"))
    before = domain(fixture, "keep.com").expires_on
    with session_scope(system(fixture.seller.seller_id)) as session:
        renewal = orders.request_renewal(session, seller_id=fixture.seller.seller_id,
                                         domain_id=domain(fixture, "keep.com").id, years=3).id
    assert perform(fixture, renewal) == "done"
    assert domain(fixture, "keep.com").expires_on == add_years(before, 3)
    assert isinstance(before, date)


def test_the_relay_finds_and_performs_a_due_operation() -> None:
    fixture = seller_with_registrar()
    start(fixture, "relayed.com")
    assert intents.relay(inline=True) >= 1
    assert domain(fixture, "relayed.com").status == "active"
