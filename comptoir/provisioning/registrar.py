"""Registrars: what registers, transfers and renews domains for a seller (SPEC §7).

Domain services talk to a registrar only through `Registrar`; a seller's registrar account names its
driver and carries the driver's typed settings (a pydantic model per driver; the fields it lists in
`SECRET_FIELDS` are stored sealed). `driver_for(name, settings, test_mode=...)` builds one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel

from comptoir.errors import DomainError, ErrorCode


class RegistrarErrorCode(ErrorCode):
    DOMAIN_UNAVAILABLE = "domain_unavailable"
    WRONG_AUTH_CODE = "wrong_auth_code"
    TLD_NOT_SUPPORTED = "tld_not_supported"
    DOMAIN_UNKNOWN = "domain_unknown"
    REGISTRAR_REFUSED = "registrar_refused"


class RegistrarError(DomainError):
    """The registrar refused an operation (a person must look: retrying changes nothing)."""


class RegistrarUnreachable(Exception):
    """The registrar could not be reached or answered garbage: the operation may be retried."""


class RemoteStatus(enum.Enum):
    PENDING = "pending"  # accepted, not completed yet: ask again later
    ACTIVE = "active"
    TRANSFER_PENDING = "transfer_pending"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RegistrarCapabilities:
    tlds: frozenset[str]
    transfer: bool = True
    privacy: bool = False


@dataclass(frozen=True)
class Availability:
    name: str
    available: bool
    reason: str = ""


@dataclass(frozen=True)
class DomainInfo:
    """What the registrar says about a domain: its status and its expiry date (the renewal date listed)."""

    name: str
    status: RemoteStatus
    expires_on: date | None
    registered_on: date | None = None
    name_servers: tuple[str, ...] = ()
    locked: bool = True


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    country: str = ""
    phone: str = ""
    organisation: str = ""


class Registrar(Protocol):
    capabilities: RegistrarCapabilities

    def check(self, name: str) -> Availability: ...

    def register(self, name: str, *, years: int, contact: Contact, name_servers: tuple[str, ...] = ()
                 ) -> DomainInfo: ...

    def transfer(self, name: str, *, auth_code: str, years: int, contact: Contact) -> DomainInfo: ...

    def renew(self, name: str, *, years: int) -> DomainInfo: ...

    def info(self, name: str) -> DomainInfo: ...

    def set_name_servers(self, name: str, name_servers: tuple[str, ...]) -> DomainInfo: ...

    def set_lock(self, name: str, locked: bool) -> DomainInfo: ...


@dataclass(frozen=True)
class DriverSpec:
    """A registrar driver: its settings model, which of its fields are secret, and its factory."""

    settings_model: type[BaseModel]
    factory: Callable[[BaseModel, bool], Registrar]
    secret_fields: tuple[str, ...] = ()
    description: str = ""


_drivers: dict[str, DriverSpec] = {}


def register_driver(name: str, spec: DriverSpec) -> None:
    _drivers[name] = spec


def driver_names() -> list[str]:
    return sorted(_drivers)


def driver_spec(name: str) -> DriverSpec:
    if name not in _drivers:
        raise KeyError(name)
    return _drivers[name]


def driver_for(name: str, settings: Mapping[str, Any], *, test_mode: bool) -> Registrar:
    """A registrar from its driver name and its (unsealed) settings."""
    spec = driver_spec(name)
    return spec.factory(spec.settings_model.model_validate(dict(settings)), test_mode)


def tld_of(name: str, supported: frozenset[str] | set[str]) -> str | None:
    """The longest supported suffix of `name` ("shop.co.uk" -> "co.uk" when both uk and co.uk are)."""
    labels = name.lower().rstrip(".").split(".")
    for start in range(1, len(labels)):
        suffix = ".".join(labels[start:])
        if suffix in supported:
            return suffix
    return None

