"""The taxation seam over the database: zones and rates of the seller, the buyer's profile, the store's mode."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from comptoir.billing import taxes
from comptoir.billing.taxation import TaxableLine, TaxSubtotal, tax_invoice
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from tests.billing.tax_support import Shop, buyer, shop

D = Decimal
LINES = [TaxableLine(1, 1000, None, "plan"), TaxableLine(2, 999, None, "addon")]


@pytest.fixture
def alpha() -> Shop:
    made = shop("FR")
    with session_scope(made.reseller) as session:
        france = taxes.create_zone(session, seller_id=made.seller_id, name="France", areas=["FR"])
        taxes.create_rate(session, zone_id=france.id, category="S", rate=D("20"), valid_from=date(2014, 1, 1))
        germany = taxes.create_zone(session, seller_id=made.seller_id, name="Germany", areas=["de"])
        taxes.create_rate(session, zone_id=germany.id, category="S", rate=D("19"), valid_from=date(2007, 1, 1),
                          valid_to=date(2020, 6, 30))
        taxes.create_rate(session, zone_id=germany.id, category="S", rate=D("16"), valid_from=date(2020, 7, 1),
                          valid_to=date(2020, 12, 31))
        taxes.create_rate(session, zone_id=germany.id, category="S", rate=D("19"), valid_from=date(2021, 1, 1))
    return made


def _tax(made: Shop, customer_id, *, on: date = date(2025, 3, 1), store: bool = True):  # type: ignore[no-untyped-def]
    with session_scope(made.system) as session:
        return tax_invoice(session, seller_id=made.seller_id, customer_id=customer_id,
                           store_id=made.store_id if store else None, currency="EUR", issue_date=on, lines=LINES)


def test_a_german_consumer_pays_the_german_rate_in_force_on_the_invoice_date(alpha: Shop) -> None:
    customer = buyer(alpha, "DE")
    assert _tax(alpha, customer, on=date(2020, 6, 30)).breakdown == [TaxSubtotal("S", D("19"), 1999, 380)]
    assert _tax(alpha, customer, on=date(2020, 7, 1)).breakdown == [TaxSubtotal("S", D("16"), 1999, 320)]


def test_prices_including_tax_keep_the_gross_per_store(alpha: Shop) -> None:
    customer = buyer(alpha, "FR")
    with session_scope(alpha.reseller) as session:
        taxes.set_store_price_mode(session, store_id=alpha.store_id, prices_include_tax=True)
    inclusive = _tax(alpha, customer)
    assert (inclusive.total, inclusive.tax_total, inclusive.net_total) == (1999, 333, 1666)
    assert [(line.key, line.net_minor, line.tax_category) for line in inclusive.lines] == [(1, 834, "S"), (2, 832, "S")]
    manual = _tax(alpha, customer, store=False)  # an invoice without a store: prices exclude tax
    assert (manual.total, manual.tax_total) == (2399, 400)


def test_a_german_business_with_a_vat_id_is_reverse_charged(alpha: Shop) -> None:
    customer = buyer(alpha, "DE")
    with session_scope(alpha.reseller) as session:
        taxes.update_customer_profile(session, customer_id=customer, b2b=True,
                                      vat_id="DE 136 695 976")
    invoice = _tax(alpha, customer)
    assert invoice.reverse_charge and "reverse charge" in invoice.note.lower()
    assert (invoice.breakdown, invoice.total) == ([TaxSubtotal("AE", D(0), 1999, 0)], 1999)


def test_an_exempt_customer_carries_its_reason(alpha: Shop) -> None:
    customer = buyer(alpha, "FR")
    with session_scope(alpha.reseller) as session:
        taxes.update_customer_profile(session, customer_id=customer, exempt=True,
                                      exemption_reason="Association exempt under Article 261-7 CGI")
    invoice = _tax(alpha, customer)
    assert (invoice.breakdown[0].category, invoice.tax_total, invoice.note) == (
        "E", 0, "Association exempt under Article 261-7 CGI")


def test_an_american_buyer_is_outside_the_scope_of_eu_vat(alpha: Shop) -> None:
    invoice = _tax(alpha, buyer(alpha, "US", "CA"))
    assert (invoice.breakdown[0].category, invoice.tax_total, invoice.reverse_charge) == ("O", 0, False)


def test_a_badly_formed_vat_id_is_refused(alpha: Shop) -> None:
    customer = buyer(alpha, "DE")
    with session_scope(alpha.reseller) as session, pytest.raises(DomainError) as refused:
        taxes.update_customer_profile(session, customer_id=customer, vat_id="DE123")
    assert (refused.value.code, refused.value.field) == (taxes.TaxErrorCode.INVALID_VAT_ID, "vatId")


def test_overlapping_rates_and_areas_claimed_twice_are_refused(alpha: Shop) -> None:
    with session_scope(alpha.reseller) as session:
        zone = taxes.create_zone(session, seller_id=alpha.seller_id, name="Austria", areas=["AT"])
        taxes.create_rate(session, zone_id=zone.id, category="S", rate=D("20"), valid_from=date(2020, 1, 1),
                          valid_to=date(2020, 12, 31))
        with pytest.raises(DomainError) as overlap:
            taxes.create_rate(session, zone_id=zone.id, category="S", rate=D("10"), valid_from=date(2020, 12, 31))
        assert overlap.value.code is taxes.TaxErrorCode.RATE_OVERLAP
        with pytest.raises(DomainError) as twice:
            taxes.create_zone(session, seller_id=alpha.seller_id, name="Again", areas=["FR", "BE"])
        assert twice.value.code is taxes.TaxErrorCode.INVALID_AREA
