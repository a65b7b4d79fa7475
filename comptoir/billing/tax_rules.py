"""Which tax treatment a sale gets and how much tax an invoice carries (pure: no database).

Treatment (EU VAT as a seller established in the EU sees it; SPEC §9.2):
- a customer exempt by the seller → category "E", 0 %, with the customer's exemption reason;
- EU buyer in another member state, B2B with a VAT id of valid format → reverse charge "AE", 0 %,
  with the legal mention (Art. 196 of Directive 2006/112/EC);
- any other EU buyer (B2C at home or abroad — OSS: the rate of the buyer's country; domestic B2B) →
  the rate of the tax zone the buyer's country/region falls in;
- buyer outside the EU → "O" (services outside the scope of EU VAT): hosting is a service whose place of
  supply is the buyer's country (Art. 44 for businesses, Art. 58 for electronically supplied services to
  consumers). "G" (free export item) is the goods code of EN 16931, so it is not used for services.
A seller outside the EU taxes by its configured zones only (e.g. a US state's sales tax); a buyer no zone
covers is not taxed ("O").

Amounts (EN 16931, BR-CO-*): line net amounts are whole minor units; VAT is computed once per (category,
rate) on that category's taxable total, rounded half-up. With tax-inclusive prices the category's VAT is
gross × rate ÷ (100 + rate) rounded half-up, its taxable amount gross − VAT, and the line nets are
spread so that they add up to it exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})
# The VAT-id prefix differs from the ISO country code for Greece only.
VAT_PREFIX = {"GR": "EL"}

REVERSE_CHARGE_MENTION = ("Reverse charge: VAT to be accounted for by the recipient "
                          "(Article 196 of Council Directive 2006/112/EC).")
OUTSIDE_SCOPE_MENTION = "Not subject to EU VAT: place of supply outside the EU (Directive 2006/112/EC, Art. 44 and 58)."


class TaxCategory(enum.Enum):
    """UNTDID 5305 codes EN 16931 allows (BT-118), those Comptoir gives or lets a seller configure."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    OUTSIDE_SCOPE = "O"


# Categories a seller's configured rate may carry; the others are decided by the treatment above.
CONFIGURABLE_CATEGORIES = (TaxCategory.STANDARD, TaxCategory.ZERO_RATED)


@dataclass(frozen=True)
class Rate:
    """A rate of a tax zone, valid from `valid_from` to `valid_to`, both included (None: open-ended)."""

    category: TaxCategory
    percent: Decimal
    valid_from: date
    valid_to: date | None = None
    name: str = ""

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Zone:
    """Areas are ISO 3166 country codes ("FR") or country-region codes ("US-CA", "ES-CN")."""

    areas: tuple[str, ...]
    rates: tuple[Rate, ...]


@dataclass(frozen=True)
class Buyer:
    country: str
    region: str = ""
    b2b: bool = False
    vat_id: str = ""
    exempt: bool = False
    exemption_reason: str = ""


@dataclass(frozen=True)
class Treatment:
    category: TaxCategory
    percent: Decimal
    note: str = ""

    @property
    def reverse_charge(self) -> bool:
        return self.category is TaxCategory.REVERSE_CHARGE


NOT_TAXED = Treatment(TaxCategory.OUTSIDE_SCOPE, Decimal(0))


def area_of(country: str, region: str = "") -> str:
    """The most specific area code of a place: "US-CA" when the region is given, else "US"."""
    country = country.strip().upper()
    region = region.strip().upper()
    if region.startswith(f"{country}-"):
        region = region[len(country) + 1:]
    return f"{country}-{region}" if region else country


def zone_for(zones: Iterable[Zone], country: str, region: str = "") -> Zone | None:
    """The zone naming the buyer's region, else the one naming its country (most specific wins)."""
    exact, whole_country = area_of(country, region), area_of(country)
    by_country = None
    for zone in zones:
        if exact in zone.areas:
            return zone
        if by_country is None and whole_country in zone.areas:
            by_country = zone
    return by_country


def rate_on(rates: Iterable[Rate], day: date) -> Rate | None:
    """The rate in force on `day` (the invoice date): standard before zero-rated, latest start first."""
    valid = [r for r in rates if r.valid_on(day)]
    valid.sort(key=lambda r: (r.category is not TaxCategory.STANDARD, -r.valid_from.toordinal()))
    return valid[0] if valid else None


def vat_id_valid(vat_id: str, country: str = "") -> bool:
    """A VAT id whose format and check digits are valid (python-stdnum), of the buyer's country if given."""
    from stdnum.eu import vat

    if not vat_id or not vat.is_valid(vat_id):
        return False
    if not country:
        return True
    return vat.compact(vat_id)[:2] == VAT_PREFIX.get(country.upper(), country.upper())


def treatment(*, seller_country: str, buyer: Buyer, zones: Sequence[Zone], day: date) -> Treatment:
    """The tax category, rate and invoice mention of a sale on `day` (see the module docstring)."""
    if buyer.exempt:
        return Treatment(TaxCategory.EXEMPT, Decimal(0), buyer.exemption_reason)
    seller_country = seller_country.upper()
    buyer_country = (buyer.country or seller_country).upper()
    if seller_country in EU_COUNTRIES:
        if buyer_country not in EU_COUNTRIES:
            return Treatment(TaxCategory.OUTSIDE_SCOPE, Decimal(0), OUTSIDE_SCOPE_MENTION)
        if buyer.b2b and buyer_country != seller_country and vat_id_valid(buyer.vat_id, buyer_country):
            return Treatment(TaxCategory.REVERSE_CHARGE, Decimal(0), REVERSE_CHARGE_MENTION)
    zone = zone_for(zones, buyer_country, buyer.region)
    rate = rate_on(zone.rates, day) if zone else None
    if rate is None:
        return NOT_TAXED
    return Treatment(rate.category, rate.percent)


# ---- amounts ----------------------------------------------------------------------------------------


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_on_net(taxable_minor: int, percent: Decimal) -> int:
    return round_half_up(Decimal(taxable_minor) * percent / 100)


def tax_in_gross(gross_minor: int, percent: Decimal) -> int:
    return round_half_up(Decimal(gross_minor) * percent / (100 + percent))


@dataclass(frozen=True)
class Subtotal:
    category: TaxCategory
    percent: Decimal
    taxable_minor: int
    tax_minor: int


@dataclass(frozen=True)
class Computed:
    nets: tuple[int, ...]
    subtotal: Subtotal


def compute(amounts: Sequence[int], treatment_: Treatment, *, prices_include_tax: bool) -> Computed:
    """Line nets and the one (category, rate) subtotal of lines sharing a treatment."""
    category, percent = treatment_.category, treatment_.percent
    if not prices_include_tax:
        taxable = sum(amounts)
        return Computed(tuple(amounts), Subtotal(category, percent, taxable, tax_on_net(taxable, percent)))
    gross = sum(amounts)
    tax = tax_in_gross(gross, percent)
    nets = spread_nets(amounts, percent, gross - tax)
    return Computed(nets, Subtotal(category, percent, gross - tax, tax))


def spread_nets(grosses: Sequence[int], percent: Decimal, taxable: int) -> tuple[int, ...]:
    """Each line's net (its gross less its own rounded VAT), the rounding residue put on the largest line so
    that the nets add up to the category's taxable amount."""
    nets = [g - tax_in_gross(g, percent) for g in grosses]
    residue = taxable - sum(nets)
    if residue and nets:
        largest = max(range(len(grosses)), key=lambda i: (abs(grosses[i]), -i))
        nets[largest] += residue
    return tuple(nets)
