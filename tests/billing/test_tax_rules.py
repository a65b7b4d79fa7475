"""Tax treatment and EN 16931 rounding, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from comptoir.billing import tax_rules as tr
from comptoir.billing.taxation import TaxableLine, taxed

D = Decimal
FR = tr.Zone(("FR",), (tr.Rate(tr.TaxCategory.STANDARD, D("20"), date(2014, 1, 1)),))
DE = tr.Zone(("DE",), (
    tr.Rate(tr.TaxCategory.STANDARD, D("19"), date(2007, 1, 1), date(2020, 6, 30)),
    tr.Rate(tr.TaxCategory.STANDARD, D("16"), date(2020, 7, 1), date(2020, 12, 31)),
    tr.Rate(tr.TaxCategory.STANDARD, D("19"), date(2021, 1, 1)),
))
US_CA = tr.Zone(("US-CA",), (tr.Rate(tr.TaxCategory.STANDARD, D("7.25"), date(2020, 1, 1)),))
US = tr.Zone(("US",), (tr.Rate(tr.TaxCategory.ZERO_RATED, D("0"), date(2020, 1, 1)),))
ZONES = (FR, DE, US_CA, US)
DAY = date(2025, 3, 15)
VALID_DE = "DE136695976"
VALID_FR = "FR40303265045"


def test_a_rate_change_mid_year_applies_by_invoice_date() -> None:
    assert tr.rate_on(DE.rates, date(2020, 6, 30)).percent == 19
    assert tr.rate_on(DE.rates, date(2020, 7, 1)).percent == 16
    assert tr.rate_on(DE.rates, date(2020, 12, 31)).percent == 16
    assert tr.rate_on(DE.rates, date(2021, 1, 1)).percent == 19
    assert tr.rate_on(DE.rates, date(2006, 12, 31)) is None


def test_the_most_specific_zone_wins() -> None:
    assert tr.zone_for(ZONES, "US", "CA") is US_CA
    assert tr.zone_for(ZONES, "us", "US-CA") is US_CA
    assert tr.zone_for(ZONES, "US", "NY") is US
    assert tr.zone_for(ZONES, "CH") is None


def test_b2c_in_another_member_state_pays_the_buyers_rate_oss() -> None:
    got = tr.treatment(seller_country="FR", buyer=tr.Buyer("DE"), zones=ZONES, day=DAY)
    assert (got.category, got.percent, got.reverse_charge) == (tr.TaxCategory.STANDARD, D("19"), False)


def test_b2b_intra_eu_with_a_valid_vat_id_is_reverse_charged_with_its_mention() -> None:
    got = tr.treatment(seller_country="FR", buyer=tr.Buyer("DE", b2b=True, vat_id=VALID_DE), zones=ZONES, day=DAY)
    assert (got.category, got.percent, got.reverse_charge) == (tr.TaxCategory.REVERSE_CHARGE, D(0), True)
    assert "Article 196" in got.note


def test_b2b_intra_eu_with_a_bad_or_foreign_vat_id_pays_vat() -> None:
    for vat_id in ("DE136695977", "", VALID_FR):
        got = tr.treatment(seller_country="FR", buyer=tr.Buyer("DE", b2b=True, vat_id=vat_id), zones=ZONES, day=DAY)
        assert (got.category, got.percent) == (tr.TaxCategory.STANDARD, D("19")), vat_id


def test_domestic_b2b_pays_the_normal_rate() -> None:
    got = tr.treatment(seller_country="FR", buyer=tr.Buyer("FR", b2b=True, vat_id=VALID_FR), zones=ZONES, day=DAY)
    assert (got.category, got.percent) == (tr.TaxCategory.STANDARD, D("20"))


def test_a_buyer_outside_the_eu_is_outside_the_scope_of_eu_vat() -> None:
    got = tr.treatment(seller_country="FR", buyer=tr.Buyer("US", "CA"), zones=ZONES, day=DAY)
    assert (got.category, got.percent) == (tr.TaxCategory.OUTSIDE_SCOPE, D(0))
    assert "outside the EU" in got.note


def test_a_seller_outside_the_eu_taxes_by_its_zones() -> None:
    got = tr.treatment(seller_country="US", buyer=tr.Buyer("US", "CA"), zones=ZONES, day=DAY)
    assert (got.category, got.percent) == (tr.TaxCategory.STANDARD, D("7.25"))
    assert tr.treatment(seller_country="US", buyer=tr.Buyer("CH"), zones=ZONES, day=DAY) == tr.NOT_TAXED


def test_an_exempt_customer_gets_category_e_with_its_reason() -> None:
    buyer = tr.Buyer("FR", exempt=True, exemption_reason="Exempt: Article 261-4-4° CGI")
    got = tr.treatment(seller_country="FR", buyer=buyer, zones=ZONES, day=DAY)
    assert (got.category, got.percent, got.note) == (tr.TaxCategory.EXEMPT, D(0), buyer.exemption_reason)


def test_a_buyer_without_a_country_is_taxed_as_domestic() -> None:
    got = tr.treatment(seller_country="FR", buyer=tr.Buyer(""), zones=ZONES, day=DAY)
    assert got.percent == 20


def test_vat_is_computed_on_the_category_total_not_per_line() -> None:
    # three lines of 0.05 at 20 %: per line 0.01 each (0.03); on the total 0.15 → 0.03; at 19 %: 0.0285 → 0.03
    # but per line 0.0095 → 0.01 × 3; with 0.02 each at 19 %: total 0.06 → 0.0114 → 0.01, per line 0 × 3 = 0.
    invoice = taxed([TaxableLine(i, 2, None, "plan") for i in range(3)],
                    tr.Treatment(tr.TaxCategory.STANDARD, D("19")), prices_include_tax=False)
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (6, 1, 7)


def test_half_up_rounding() -> None:
    assert tr.tax_on_net(250, D("1")) == 3  # 2.5 → 3
    assert tr.tax_on_net(-250, D("1")) == -3  # away from zero, symmetric for credit lines
    assert tr.tax_on_net(1050, D("10")) == 105


def test_tax_inclusive_prices_split_so_net_plus_vat_is_the_gross() -> None:
    invoice = taxed([TaxableLine(1, 1000, None, "plan"), TaxableLine(2, 999, None, "addon")],
                    tr.Treatment(tr.TaxCategory.STANDARD, D("20")), prices_include_tax=True)
    # 19.99 gross at 20 %: VAT 3.3317 → 3.33, net 16.66. Per line: 10.00 → VAT 1.67, net 8.33; 9.99 → VAT
    # 1.665 → 1.67, net 8.32; 16.65 ≠ 16.66, so the cent left goes to the largest line.
    assert (invoice.total, invoice.tax_total, invoice.net_total) == (1999, 333, 1666)
    assert [line.net_minor for line in invoice.lines] == [834, 832]


amounts = st.lists(st.integers(min_value=-50_000, max_value=5_000_000), min_size=1, max_size=12)
percents = st.decimals(min_value=0, max_value=D("99.999"), places=3)


@given(amounts, percents, st.booleans())
def test_lines_add_up_to_the_taxable_amount_and_total_is_net_plus_tax(values: list[int], percent: Decimal,
                                                                      inclusive: bool) -> None:
    invoice = taxed([TaxableLine(i, v, None, "plan") for i, v in enumerate(values)],
                    tr.Treatment(tr.TaxCategory.STANDARD, percent), prices_include_tax=inclusive)
    assert sum(line.net_minor for line in invoice.lines) == invoice.net_total == invoice.breakdown[0].taxable_minor
    assert invoice.total == invoice.net_total + invoice.tax_total
    if inclusive:
        assert invoice.total == sum(values)


@given(amounts, percents)
def test_exclusive_then_inclusive_round_trips(values: list[int], percent: Decimal) -> None:
    treatment = tr.Treatment(tr.TaxCategory.STANDARD, percent)
    exclusive = taxed([TaxableLine(i, v, None, "plan") for i, v in enumerate(values)], treatment,
                      prices_include_tax=False)
    inclusive = taxed([TaxableLine(0, exclusive.total, None, "plan")], treatment, prices_include_tax=True)
    assert (inclusive.net_total, inclusive.tax_total) == (exclusive.net_total, exclusive.tax_total)
