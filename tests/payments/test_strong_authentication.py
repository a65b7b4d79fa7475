"""Strong customer authentication: a renewal the bank wants authenticated waits for the customer (an
e-mail with a link), is not retried, and completes once the customer has authenticated."""

from __future__ import annotations

from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.messaging.models import OutboundEmail
from comptoir.payments import service
from comptoir.payments.errors import PaymentError
from tests.payments import support


def test_a_renewal_needing_authentication_asks_the_customer_and_completes_after_they_authenticate():
    # given: a card saved with the customer present, charged later by the merchant (a renewal)
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4000002760003184"), initiator="merchant")
    # when
    assert support.perform(shop, payment_id) == "done"
    # then: action required, not failed, and the customer has a link
    waiting = support.payment(shop, payment_id)
    assert waiting.status == "requires_action"
    assert waiting.action_url.startswith("https://sandbox-gateway.test/authenticate/")
    with session_scope(shop.system()) as session:
        mail = session.scalars(select(OutboundEmail).where(OutboundEmail.template == "payment_action_required")).one()
        assert mail.to_address == "shopbuyer@c.test"
        assert f"/pay/{payment_id}/authenticate" in mail.body_text and "€19.90" in mail.body_text
    # nothing retries it: its only intent is done
    assert [i.status for i in support.charge_intents(shop, payment_id)] == ["done"]
    # when: the customer authenticates
    with session_scope(shop.as_customer()) as session:
        service.request_authentication_done(session, payment_id=payment_id)
    support.perform(shop, payment_id)
    # then
    assert support.payment(shop, payment_id).status == "captured"


def test_authenticating_a_payment_that_needs_nothing_is_refused():
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"))
    support.perform(shop, payment_id)
    with session_scope(shop.as_customer()) as session:
        try:
            service.request_authentication_done(session, payment_id=payment_id)
        except PaymentError as error:
            assert error.field == "id"
        else:
            raise AssertionError("refused expected")


def test_a_saved_card_is_authenticated_at_entry_with_the_customer_present():
    shop = support.merchant()
    method_id = support.save_card(shop, "4242424242424242")
    with session_scope(shop.as_customer()) as session:
        from comptoir.payments.models import PaymentMethod

        assert session.get(PaymentMethod, method_id).authenticated_at is not None
