"""The sandbox registrar: behaves like a real one, keeps its registry in this process.

- names containing "taken" are registered by someone else (unavailable);
- a transfer needs the domain's auth code: `auth_code_for(name)` ("AUTH-" and the first 8 hex digits
  of the SHA-256 of the name), any other code is refused;
- with `delayed=True` (or a name containing "slow") a registration is accepted as pending and completes
  after `polls_until_active` calls of `info` (the caller polls, as with a real registrar);
- names containing "fail" are refused (a person must look), names containing "timeout" make the
  registrar unreachable (a retry may work);
- renewing moves the expiry date by the years; `set_remote_expiry` lets a test play the registrar
  changing a date on its side (what the weekly synchronisation picks up).
Dates follow comptoir.clock (the sandbox clock), as a registrar's would follow the real calendar.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from datetime import date

from pydantic import BaseModel, Field, SecretStr

from comptoir import clock
from comptoir.provisioning.registrar import (
    Availability,
    Contact,
    DomainInfo,
    DriverSpec,
    RegistrarCapabilities,
    RegistrarError,
    RegistrarErrorCode,
    RegistrarUnreachable,
    RemoteStatus,
    register_driver,
    tld_of,
)

DRIVER = "sandbox"
SANDBOX_TLDS = ("com", "net", "org", "info", "biz", "eu", "de", "fr", "es", "uk", "co.uk", "ru", "io")


class SandboxSettings(BaseModel):
    """A sandbox account: its login (the registry is kept per login), password, and behaviour."""

    username: str = Field(min_length=1, max_length=100)
    password: SecretStr = Field(default=SecretStr(""), max_length=200)
    tlds: list[str] = Field(default_factory=lambda: list(SANDBOX_TLDS), max_length=200)
    delayed: bool = False
    polls_until_active: int = Field(default=1, ge=1, le=100)


@dataclass(frozen=True)
class _Record:
    info: DomainInfo
    polls_left: int = 0


_registry: dict[tuple[str, str], _Record] = {}
_lock = threading.Lock()


def auth_code_for(name: str) -> str:
    return "AUTH-" + hashlib.sha256(name.lower().encode()).hexdigest()[:8].upper()


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def set_remote_expiry(username: str, name: str, expires_on: date) -> None:
    """Test hook: the registrar changes a domain's expiry date on its side."""
    with _lock:
        record = _registry[(username, name)]
        _registry[(username, name)] = replace(record, info=replace(record.info, expires_on=expires_on))


class SandboxRegistrar:
    def __init__(self, settings: SandboxSettings, test_mode: bool) -> None:
        self.settings = settings
        self.test_mode = test_mode
        self.capabilities = RegistrarCapabilities(tlds=frozenset(settings.tlds), transfer=True, privacy=True)

    def _key(self, name: str) -> tuple[str, str]:
        return self.settings.username, name.lower()

    def _supported(self, name: str) -> None:
        if tld_of(name, self.capabilities.tlds) is None:
            raise RegistrarError(RegistrarErrorCode.TLD_NOT_SUPPORTED, f"{name}: this registrar does not sell its TLD.",
                                 field="name")

    def _outage(self, name: str) -> None:
        if "timeout" in name:
            raise RegistrarUnreachable(f"sandbox registrar: {name} timed out")
        if "fail" in name:
            raise RegistrarError(RegistrarErrorCode.REGISTRAR_REFUSED, f"{name}: the registrar refused the operation.")

    def check(self, name: str) -> Availability:
        self._supported(name)
        if "taken" in name:
            return Availability(name, False, "registered by someone else")
        with _lock:
            if self._key(name) in _registry:
                return Availability(name, False, "registered")
        return Availability(name, True)

    def register(self, name: str, *, years: int, contact: Contact, name_servers: tuple[str, ...] = ()
                 ) -> DomainInfo:
        self._outage(name)
        if not self.check(name).available:
            raise RegistrarError(RegistrarErrorCode.DOMAIN_UNAVAILABLE, f"{name} is not available.", field="name")
        today = clock.today()
        delayed = self.settings.delayed or "slow" in name
        info = DomainInfo(name, RemoteStatus.PENDING if delayed else RemoteStatus.ACTIVE, add_years(today, years),
                          today, name_servers)
        with _lock:
            _registry[self._key(name)] = _Record(info, self.settings.polls_until_active if delayed else 0)
        return info

    def transfer(self, name: str, *, auth_code: str, years: int, contact: Contact) -> DomainInfo:
        self._outage(name)
        self._supported(name)
        if auth_code != auth_code_for(name):
            raise RegistrarError(RegistrarErrorCode.WRONG_AUTH_CODE, f"{name}: the auth code is wrong.",
                                 field="authCode")
        today = clock.today()
        info = DomainInfo(name, RemoteStatus.ACTIVE, add_years(today, years), today)
        with _lock:
            _registry[self._key(name)] = _Record(info)
        return info

    def renew(self, name: str, *, years: int) -> DomainInfo:
        self._outage(name)
        with _lock:
            record = self._record(name)
            expires = add_years(record.info.expires_on or clock.today(), years)
            _registry[self._key(name)] = replace(record, info=replace(record.info, expires_on=expires))
            return _registry[self._key(name)].info

    def info(self, name: str) -> DomainInfo:
        with _lock:
            record = self._record(name)
            if record.info.status is RemoteStatus.PENDING:
                left = record.polls_left - 1
                status = RemoteStatus.ACTIVE if left <= 0 else RemoteStatus.PENDING
                record = _Record(replace(record.info, status=status), max(left, 0))
                _registry[self._key(name)] = record
            return record.info

    def set_name_servers(self, name: str, name_servers: tuple[str, ...]) -> DomainInfo:
        return self._change(name, name_servers=tuple(name_servers))

    def set_lock(self, name: str, locked: bool) -> DomainInfo:
        return self._change(name, locked=locked)

    def _change(self, name: str, **changes: object) -> DomainInfo:
        with _lock:
            record = self._record(name)
            _registry[self._key(name)] = replace(record, info=replace(record.info, **changes))  # type: ignore[arg-type]
            return _registry[self._key(name)].info

    def _record(self, name: str) -> _Record:
        record = _registry.get(self._key(name))
        if record is None:
            raise RegistrarError(RegistrarErrorCode.DOMAIN_UNKNOWN, f"{name} is not registered with this account.",
                                 field="name")
        return record


register_driver(DRIVER, DriverSpec(
    settings_model=SandboxSettings, factory=lambda settings, test_mode: SandboxRegistrar(
        settings, test_mode),  # type: ignore[arg-type]
    secret_fields=("password",), description="Sandbox registrar (test data, no real domains)."))
