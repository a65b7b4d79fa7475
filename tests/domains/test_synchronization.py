"""ProcessDomainSynchronization: the registrar's expiry date becomes the domain's renewal date listed;
subscriptions' billing dates stay; each difference is a to-do item on the seller's home."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from comptoir import clock
from comptoir.automation import events
from comptoir.automation.models import ScheduledEvent
from comptoir.database.engine import session_scope
from comptoir.domains import synchronization
from comptoir.domains.models import Domain
from comptoir.hosting.models import Subscription
from comptoir.provisioning.sandbox_registrar import set_remote_expiry
from comptoir.storefront import home
from tests.domains.support import seller_with_registrar, system
from tests.domains.test_domain_step import domain, open_todos, perform, start


def test_the_weekly_event_moves_only_the_domains_expiry_and_reports_the_difference() -> None:
    fixture = seller_with_registrar()
    seller_id = fixture.seller.seller_id
    perform(fixture, start(fixture, "renewed-elsewhere.com"))
    perform(fixture, start(fixture, "unchanged.com"))
    with session_scope(system(seller_id)) as session:
        subscription = session.scalars(select(Subscription).where(
            Subscription.customer_id == fixture.customer.customer_id)).one()
        subscription.expiration_date = date(2031, 1, 15)  # the billing side's date
        domain_row = session.scalars(select(Domain).where(Domain.name == "renewed-elsewhere.com")).one()
        domain_row.subscription_id = subscription.id
        event = ScheduledEvent(seller_id=seller_id, kind="process_domain_synchronization", run_at=clock.now(),
                               recurrence="P7D")
        session.add(event)
        session.flush()
        event_id = event.id
    listed = domain(fixture, "unchanged.com").expires_on + timedelta(days=365)
    set_remote_expiry(fixture.username, "renewed-elsewhere.com", listed)
    run = events.run_now(seller_id=seller_id, event_id=event_id)
    assert run is not None and run.result["changed"] == ["renewed-elsewhere.com"], run
    assert domain(fixture, "renewed-elsewhere.com").expires_on == listed
    assert domain(fixture, "unchanged.com").expires_on == listed - timedelta(days=365)
    with session_scope(system(seller_id)) as session:
        subscription = session.get_one(Subscription, subscription.id)
        assert subscription.expiration_date == date(2031, 1, 15)
        assert synchronization.open_differences(session, seller_id=seller_id) == 1
        assert home.overview(session, seller_id=seller_id).open_todos == 1
    [item] = open_todos(fixture)
    assert item.kind == "domain_expiry_changed" and listed.isoformat() in item.title
