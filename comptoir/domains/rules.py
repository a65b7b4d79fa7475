"""Pure rules of domains (SPEC §7): domain names, TLD activation and default registrars, plan prices."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

PREDEFINED_TLDS = ("com", "net", "org", "info", "biz", "eu", "de", "fr", "es", "it", "nl", "be", "ch", "at",
                   "uk", "co.uk", "org.uk", "ru", "io", "co", "us", "ca", "me", "tv", "online", "shop")
TLD = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
MAX_YEARS = 10
ACTIVE, SUSPENDED = "active", "suspended"


def normalize(name: str) -> str:
    return name.strip().lower().rstrip(".")


def is_domain_name(name: str) -> bool:
    return bool(DOMAIN.match(name))


@dataclass(frozen=True)
class TldState:
    name: str
    status: str = SUSPENDED
    registrar_account_id: uuid.UUID | None = None


def activate_for_registrar(tlds: Sequence[TldState], *, account_id: uuid.UUID, supported: Iterable[str]
                           ) -> list[TldState]:
    """The TLDs after configuring a registrar: each unassigned TLD it supports becomes active with it as
    default; a TLD that already has a registrar keeps it (the first one stays the default)."""
    names = set(supported)
    return [replace(tld, status=ACTIVE, registrar_account_id=account_id)
            if tld.registrar_account_id is None and tld.name in names else tld for tld in tlds]


def release_registrar(tlds: Sequence[TldState], *, account_id: uuid.UUID) -> list[TldState]:
    """The TLDs after a registrar is disabled: those it served are suspended and unassigned."""
    return [TldState(tld.name) if tld.registrar_account_id == account_id else tld for tld in tlds]


def price_problem(prices: Sequence[int], *, required: bool) -> str | None:
    """Why a yearly price list (index = years - 1) is refused, or None."""
    if not prices:
        return "Give at least the price for one year." if required else None
    if len(prices) > MAX_YEARS:
        return f"Prices go up to {MAX_YEARS} years."
    if any(price < 0 for price in prices):
        return "A price is zero or more."
    return None


def price_for(prices: Sequence[int], years: int) -> int | None:
    """The price of `years` years, None when the plan does not sell that many."""
    return prices[years - 1] if 1 <= years <= len(prices) else None
