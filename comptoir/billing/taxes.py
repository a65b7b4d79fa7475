"""Tax configuration of a seller: zones and their rates, a store's price mode, a customer's tax profile."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from babel import Locale
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from comptoir.billing import tax_rules
from comptoir.billing.tax_models import CustomerTaxProfile, StoreTaxSettings, TaxRate, TaxZone
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError, ErrorCode, collect_errors
from comptoir.storefront.models import Store
from comptoir.tenancy.models import Customer

AREA = re.compile(r"^([A-Z]{2})(-[A-Z0-9]{1,3})?$")
MAX_AREAS = 300


class TaxErrorCode(ErrorCode):
    INVALID_AREA = "invalid_area"
    INVALID_RATE = "invalid_rate"
    RATE_OVERLAP = "rate_overlap"
    INVALID_VAT_ID = "invalid_vat_id"
    EXEMPTION_REASON_REQUIRED = "exemption_reason_required"


def zones_of(session: Session, *, seller_id: uuid.UUID) -> list[tax_rules.Zone]:
    """The seller's zones with all their rates, as the pure rules take them."""
    rates: dict[uuid.UUID, list[tax_rules.Rate]] = {}
    for rate in session.scalars(select(TaxRate).where(TaxRate.seller_id == seller_id)):
        rates.setdefault(rate.zone_id, []).append(as_rule(rate))
    zones = session.scalars(select(TaxZone).where(TaxZone.seller_id == seller_id).order_by(TaxZone.created_at))
    return [tax_rules.Zone(tuple(zone.areas), tuple(rates.get(zone.id, ()))) for zone in zones]


def as_rule(rate: TaxRate) -> tax_rules.Rate:
    return tax_rules.Rate(tax_rules.TaxCategory(rate.category), Decimal(rate.rate), rate.valid_from,
                          rate.valid_to, rate.name)


def list_zones_page(session: Session, *, seller_id: uuid.UUID, page: PageRequest, area: str | None = None,
                    sort: str = "created_at") -> Page[TaxZone]:
    statement = select(TaxZone).where(TaxZone.seller_id == seller_id)
    if area:
        statement = statement.where(TaxZone.areas.any(area.strip().upper()))
    column = TaxZone.name if sort == "name" else TaxZone.created_at
    return paginate(session, statement, page, sort_column=column, id_column=TaxZone.id)


def get_zone_or_raise(session: Session, *, zone_id: uuid.UUID, lock: bool = False, field: str = "id") -> TaxZone:
    zone = session.scalar(select(TaxZone).where(TaxZone.id == zone_id).with_for_update(read=False) if lock
                          else select(TaxZone).where(TaxZone.id == zone_id))
    if zone is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No such tax zone.", field=field)
    return zone


def create_zone(session: Session, *, seller_id: uuid.UUID, name: str, areas: Sequence[str]) -> TaxZone:
    """A zone of countries and regions; an area belongs to one zone of a seller at most."""
    zone = TaxZone(seller_id=seller_id, name=_name(name), areas=_areas(session, seller_id, areas, None))
    session.add(zone)
    session.flush()
    return zone


def update_zone(session: Session, *, zone_id: uuid.UUID, name: str | None = None,
                areas: Sequence[str] | None = None) -> TaxZone:
    zone = get_zone_or_raise(session, zone_id=zone_id, lock=True)
    if name is not None:
        zone.name = _name(name)
    if areas is not None:
        zone.areas = _areas(session, zone.seller_id, areas, zone.id)
    zone.updated_at = func.now()
    session.flush()
    return zone


def delete_zone(session: Session, *, zone_id: uuid.UUID) -> None:
    """A zone and its rates (issued invoices keep the rates they were issued with)."""
    get_zone_or_raise(session, zone_id=zone_id)
    session.execute(delete(TaxZone).where(TaxZone.id == zone_id))


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError(CommonErrorCode.REQUIRED, "A name is required.", field="name")
    if len(name) > 100:
        raise DomainError(CommonErrorCode.TOO_LONG, "At most 100 characters.", field="name")
    return name


def _areas(session: Session, seller_id: uuid.UUID, areas: Sequence[str], zone_id: uuid.UUID | None) -> list[str]:
    cleaned = list(dict.fromkeys(area.strip().upper() for area in areas))
    if not cleaned:
        raise DomainError(CommonErrorCode.REQUIRED, "Give at least one country or region.", field="areas")
    if len(cleaned) > MAX_AREAS:
        raise DomainError(CommonErrorCode.TOO_MANY, f"At most {MAX_AREAS} areas.", field="areas")
    territories = Locale("en").territories
    for area in cleaned:
        match = AREA.match(area)
        if not match or match.group(1) not in territories:
            raise DomainError(TaxErrorCode.INVALID_AREA, f"{area!r} is not a country code (FR) or region (US-CA).",
                              field="areas")
    # Zones are read under a seller-wide lock so that two zones never claim one area concurrently.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('tax_zones:' || :seller))"), {"seller": str(seller_id)})
    taken = session.scalars(select(func.unnest(TaxZone.areas)).where(
        TaxZone.seller_id == seller_id, TaxZone.id != zone_id if zone_id else True)).all()
    clash = sorted(set(taken) & set(cleaned))
    if clash:
        raise DomainError(TaxErrorCode.INVALID_AREA, f"Already in another zone: {', '.join(clash)}.", field="areas")
    return cleaned


# ---- rates -------------------------------------------------------------------------------------------


def get_rate_or_raise(session: Session, *, rate_id: uuid.UUID) -> TaxRate:
    rate = session.get(TaxRate, rate_id)
    if rate is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No such tax rate.", field="id")
    return rate


def create_rate(session: Session, *, zone_id: uuid.UUID, category: str, rate: Decimal, valid_from: date,
                valid_to: date | None = None, name: str = "") -> TaxRate:
    """A rate of a zone for a date range; ranges of one zone and category never overlap."""
    zone = get_zone_or_raise(session, zone_id=zone_id, lock=True, field="zoneId")
    made = TaxRate(seller_id=zone.seller_id, zone_id=zone.id, name=name.strip()[:100])
    _set_rate(session, made, category=category, rate=rate, valid_from=valid_from, valid_to=valid_to)
    session.add(made)
    session.flush()
    return made


def update_rate(session: Session, *, rate_id: uuid.UUID, rate: Decimal | None = None, valid_from: date | None = None,
                valid_to: date | None = None, clear_valid_to: bool = False, name: str | None = None) -> TaxRate:
    """Change a rate; a new rate from a date is better a new row ending the old one (issued invoices keep theirs)."""
    found = get_rate_or_raise(session, rate_id=rate_id)
    get_zone_or_raise(session, zone_id=found.zone_id, lock=True)
    if name is not None:
        found.name = name.strip()[:100]
    _set_rate(session, found, category=found.category, rate=found.rate if rate is None else rate,
              valid_from=valid_from or found.valid_from,
              valid_to=None if clear_valid_to else (valid_to or found.valid_to))
    session.flush()
    return found


def delete_rate(session: Session, *, rate_id: uuid.UUID) -> None:
    found = get_rate_or_raise(session, rate_id=rate_id)
    session.delete(found)
    session.flush()


def _set_rate(session: Session, target: TaxRate, *, category: str, rate: Decimal, valid_from: date,
              valid_to: date | None) -> None:
    with collect_errors() as errors:
        if category not in {c.value for c in tax_rules.CONFIGURABLE_CATEGORIES}:
            errors.add(DomainError(TaxErrorCode.INVALID_RATE, "A configured rate is standard (S) or zero-rated (Z).",
                                   field="category"))
        if not rate.is_finite() or not Decimal(0) <= rate < Decimal(100) or rate != rate.quantize(Decimal("0.001")):
            errors.add(DomainError(TaxErrorCode.INVALID_RATE, "A percentage from 0 to 99.999.", field="rate"))
        if category == "Z" and rate != 0:
            errors.add(DomainError(TaxErrorCode.INVALID_RATE, "A zero-rated rate is 0.", field="rate"))
        if valid_to is not None and valid_to < valid_from:
            errors.add(DomainError(TaxErrorCode.INVALID_RATE, "Ends before it starts.", field="validTo"))
    others = session.scalars(select(TaxRate).where(
        TaxRate.zone_id == target.zone_id, TaxRate.category == category,
        TaxRate.id != target.id if target.id else True)).all()
    for other in others:
        if _overlap(valid_from, valid_to, other.valid_from, other.valid_to):
            raise DomainError(TaxErrorCode.RATE_OVERLAP,
                              f"Overlaps the rate valid from {other.valid_from.isoformat()}.", field="validFrom")
    target.category, target.rate, target.valid_from, target.valid_to = category, rate, valid_from, valid_to


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


# ---- store price mode and customer profile -------------------------------------------------------------


def get_store_settings(session: Session, *, store_id: uuid.UUID) -> StoreTaxSettings | None:
    if session.get(Store, store_id) is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No such store.", field="storeId")
    return session.get(StoreTaxSettings, store_id)


def set_store_price_mode(session: Session, *, store_id: uuid.UUID, prices_include_tax: bool) -> StoreTaxSettings:
    settings = get_store_settings(session, store_id=store_id)
    if settings is None:
        store = session.get(Store, store_id)
        assert store is not None
        settings = StoreTaxSettings(store_id=store_id, seller_id=store.seller_id)
        session.add(settings)
    settings.prices_include_tax = prices_include_tax
    settings.updated_at = func.now()
    session.flush()
    return settings


def get_customer_profile(session: Session, *, customer_id: uuid.UUID) -> CustomerTaxProfile | None:
    if session.get(Customer, customer_id) is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No such customer.", field="customerId")
    return session.get(CustomerTaxProfile, customer_id)


def update_customer_profile(session: Session, *, customer_id: uuid.UUID, b2b: bool | None = None,
                            vat_id: str | None = None, exempt: bool | None = None,
                            exemption_reason: str | None = None) -> CustomerTaxProfile:
    """A customer's tax profile; a VAT id must have a valid format (and its country's prefix when known)."""
    profile = get_customer_profile(session, customer_id=customer_id)
    customer = session.get(Customer, customer_id)
    assert customer is not None
    country = customer.country
    if profile is None:
        profile = CustomerTaxProfile(customer_id=customer_id, seller_id=customer.seller_id, b2b=False, vat_id="",
                                     exempt=False, exemption_reason="")
        session.add(profile)
    if vat_id is not None:
        profile.vat_id = normalised_vat_id(vat_id, country)
    if b2b is not None:
        profile.b2b = b2b
    if exempt is not None:
        profile.exempt = exempt
    if exemption_reason is not None:
        profile.exemption_reason = exemption_reason.strip()[:500]
    if profile.exempt and not profile.exemption_reason:
        raise DomainError(TaxErrorCode.EXEMPTION_REASON_REQUIRED, "An exempt customer needs the reason printed on "
                          "its invoices.", field="exemptionReason")
    profile.updated_at = func.now()
    session.flush()
    return profile


def normalised_vat_id(vat_id: str, country: str = "") -> str:
    """The compact form of a valid VAT id ("" clears it)."""
    from stdnum.eu import vat

    if not vat_id.strip():
        return ""
    if not tax_rules.vat_id_valid(vat_id, country):
        raise DomainError(TaxErrorCode.INVALID_VAT_ID, "Not a valid EU VAT identification number"
                          + (f" of {country}." if country else "."), field="vatId")
    return str(vat.compact(vat_id))
