"""Is a name for sale here: its TLD active with a default registrar, and the registrar's answer.

Used by the storefront (cart problems, `domainCheck`) as the store's visitor: it reads the seller's
TLDs and enabled registrar accounts, nothing else.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.domains import registrars, rules
from comptoir.domains.errors import DomainsError
from comptoir.provisioning.registrar import RegistrarError, RegistrarUnreachable


class Verdict(enum.Enum):
    AVAILABLE = "available"
    TAKEN = "taken"
    TLD_NOT_SOLD = "tld_not_sold"
    INVALID_NAME = "invalid_name"
    REGISTRAR_UNAVAILABLE = "registrar_unavailable"


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    transfer_supported: bool = False

    @property
    def available(self) -> bool:
        return self.verdict is Verdict.AVAILABLE


def check(session: Session, *, seller_id: uuid.UUID, name: str) -> Check:
    """What the seller's default registrar for the name's TLD says about it."""
    name = rules.normalize(name)
    if not rules.is_domain_name(name):
        return Check(name, Verdict.INVALID_NAME)
    try:
        _, account = registrars.for_name(session, seller_id=seller_id, name=name)
        driver = registrars.driver_of(account)
        answer = driver.check(name)
    except DomainsError:
        return Check(name, Verdict.TLD_NOT_SOLD)
    except RegistrarError:
        return Check(name, Verdict.TLD_NOT_SOLD)
    except RegistrarUnreachable:
        return Check(name, Verdict.REGISTRAR_UNAVAILABLE)
    return Check(name, Verdict.AVAILABLE if answer.available else Verdict.TAKEN, driver.capabilities.transfer)


# (code, message) of a cart line's domain choice that cannot go through; codes as the cart's problems.
PROBLEMS = {
    Verdict.TAKEN: ("DOMAIN_TAKEN", "This domain is already registered: transfer it, or choose another name."),
    Verdict.TLD_NOT_SOLD: ("TLD_NOT_SOLD", "Domains with this ending are not sold here."),
    Verdict.INVALID_NAME: ("DOMAIN_INVALID", "This is not a domain name."),
    Verdict.REGISTRAR_UNAVAILABLE: ("REGISTRAR_UNAVAILABLE", "The registrar does not answer; try again shortly."),
}
NOT_REGISTERED = ("DOMAIN_NOT_REGISTERED", "This domain is not registered yet: register it instead.")
NO_TRANSFER = ("TRANSFER_NOT_SUPPORTED", "Transfers of this domain are not available here.")


def cart_problem(session: Session, *, seller_id: uuid.UUID, action: str, name: str) -> tuple[str, str] | None:
    """Why a cart line's domain choice (register or transfer) cannot go through, or None."""
    if action not in ("register", "transfer"):
        return None
    found = check(session, seller_id=seller_id, name=name)
    if action == "register":
        return None if found.available else PROBLEMS[found.verdict]
    if found.verdict is Verdict.AVAILABLE:
        return NOT_REGISTERED
    if found.verdict is Verdict.TAKEN:
        return None if found.transfer_supported else NO_TRANSFER
    return PROBLEMS[found.verdict]
