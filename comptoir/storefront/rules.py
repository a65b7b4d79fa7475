"""Pure rules of the storefront: cycles, cart totals, checkout fingerprints and the fraud rules.

Every fraud rule is a function of plain values, switchable per store (`FraudPolicy`); `findings` runs
the switched-on ones and `needs_review` decides between automatic activation and a person's review.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError


class Cycle(enum.Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"
    BIENNIAL = "biennial"
    TRIENNIAL = "triennial"


MONTHS = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3, Cycle.SEMI_ANNUAL: 6, Cycle.ANNUAL: 12, Cycle.BIENNIAL: 24,
          Cycle.TRIENNIAL: 36}


class Finding(enum.Enum):
    """Why a fraud rule holds an order for review."""

    DISPOSABLE_EMAIL = "disposable_email"
    COUNTRY_MISMATCH = "country_mismatch"
    TOTAL_ABOVE_THRESHOLD = "total_above_threshold"
    TOO_MANY_ORDERS_FROM_ADDRESS = "too_many_orders_from_address"
    VAT_ID_INVALID = "vat_id_invalid"


@dataclass(frozen=True)
class FraudPolicy:
    """A store's fraud policy: `manual_review` holds every new customer; otherwise each switched-on
    rule that fires holds it. None switches a threshold rule off."""

    manual_review: bool = False
    disposable_email: bool = True
    country_mismatch: bool = False
    total_above: int | None = None
    orders_per_address_per_hour: int | None = None
    vat_id_invalid: bool = True
    extra_disposable_domains: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FraudPolicy:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "extra_disposable_domains" in known:
            known["extra_disposable_domains"] = tuple(known["extra_disposable_domains"])
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return {name: (list(value) if isinstance(value, tuple) else value)
                for name, value in self.__dict__.items()}


@dataclass(frozen=True)
class CheckoutFacts:
    """What the fraud rules look at, gathered at checkout."""

    email: str
    billing_country: str
    client_country: str
    total: int
    recent_orders_from_address: int
    vat_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


@cache
def shipped_disposable_domains() -> frozenset[str]:
    """The disposable e-mail domains shipped with Comptoir (one per line); stores add their own."""
    listing = resources.files("comptoir.storefront").joinpath("disposable_domains.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in listing.splitlines() if line.strip() and line[0] != "#")


def is_disposable_email(email: str, domains: Iterable[str]) -> bool:
    """The address's domain, or a parent domain of it, is a throw-away mail service."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    listed = {d.lower() for d in domains}
    labels = domain.split(".")
    return any(".".join(labels[i:]) in listed for i in range(len(labels) - 1))


def countries_differ(billing_country: str, client_country: str) -> bool:
    """The billing country is not where the request came from (unknown origin: no finding)."""
    return bool(client_country) and billing_country.upper() != client_country.upper()


def total_above(total: int, threshold: int | None) -> bool:
    return threshold is not None and total > threshold


def too_many_orders(recent_orders: int, limit: int | None) -> bool:
    """`recent_orders` from the address in the last hour, this one not counted."""
    return limit is not None and recent_orders >= limit


def vat_id_invalid(vat_id: str) -> bool:
    """A VAT id was given and fails its country's check digits or format (python-stdnum)."""
    if not vat_id:
        return False
    try:
        eu_vat.validate(vat_id)
    except ValidationError:
        return True
    return False


def findings(policy: FraudPolicy, facts: CheckoutFacts) -> list[Finding]:
    """The switched-on rules that fire, in a fixed order."""
    checks: list[tuple[bool, Finding, Callable[[], bool]]] = [
        (policy.disposable_email, Finding.DISPOSABLE_EMAIL,
         lambda: is_disposable_email(facts.email, shipped_disposable_domains() | set(policy.extra_disposable_domains))),
        (policy.country_mismatch, Finding.COUNTRY_MISMATCH,
         lambda: countries_differ(facts.billing_country, facts.client_country)),
        (True, Finding.TOTAL_ABOVE_THRESHOLD, lambda: total_above(facts.total, policy.total_above)),
        (True, Finding.TOO_MANY_ORDERS_FROM_ADDRESS,
         lambda: too_many_orders(facts.recent_orders_from_address, policy.orders_per_address_per_hour)),
        (policy.vat_id_invalid, Finding.VAT_ID_INVALID, lambda: vat_id_invalid(facts.vat_id)),
    ]
    return [finding for enabled, finding, fires in checks if enabled and fires()]


def needs_review(policy: FraudPolicy, found: list[Finding]) -> bool:
    return policy.manual_review or bool(found)


@dataclass(frozen=True)
class PricedLine:
    """One cart line at the store's prices: the plan for its cycle, its add-ons, the setup fees."""

    recurring: int
    setup: int

    @property
    def total(self) -> int:
        return self.recurring + self.setup


def line_price(plan_prices: Mapping[str, int], plan_setup: int, cycle: str,
               addons: Iterable[tuple[Mapping[str, int], int]]) -> PricedLine | None:
    """The line's price, or None when the plan or an add-on is not sold for this cycle."""
    if cycle not in plan_prices:
        return None
    recurring, setup = plan_prices[cycle], plan_setup
    for prices, addon_setup in addons:
        if cycle not in prices:
            return None
        recurring += prices[cycle]
        setup += addon_setup
    return PricedLine(recurring, setup)


def cart_total(lines: Iterable[PricedLine]) -> int:
    return sum(line.total for line in lines)


def fingerprint(payload: Mapping[str, Any]) -> bytes:
    """A digest of what a checkout completes: equal payloads give equal fingerprints, in any key order."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).digest()
