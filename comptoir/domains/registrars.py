"""A seller's registrar accounts: add, edit, disable; configuring one activates the TLDs it supports."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.domains import settings as driver_settings
from comptoir.domains import tlds
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import RegistrarAccount, Tld
from comptoir.provisioning import epp, sandbox_registrar  # noqa: F401 -- they register their drivers
from comptoir.provisioning import registrar as drivers
from comptoir.provisioning.registrar import Registrar


@dataclass(frozen=True)
class RegistrarAccountChanges:
    name: str | None = None
    settings: Mapping[str, Any] | None = None
    test_mode: bool | None = None
    enabled: bool | None = None


def _spec(driver: str) -> drivers.DriverSpec:
    try:
        return drivers.driver_spec(driver)
    except KeyError:
        raise DomainsError(DomainsErrorCode.UNKNOWN_DRIVER, f"Choose one of: {', '.join(drivers.driver_names())}.",
                           field="driver") from None


def get_or_raise(session: Session, *, seller_id: uuid.UUID, account_id: uuid.UUID, field: str = "id"
                 ) -> RegistrarAccount:
    account = session.get(RegistrarAccount, account_id)
    if account is None or account.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.REGISTRAR_NOT_FOUND, "No such registrar account.", field=field)
    return account


def list_all(session: Session, *, seller_id: uuid.UUID) -> list[RegistrarAccount]:
    return list(session.scalars(select(RegistrarAccount).where(RegistrarAccount.seller_id == seller_id)
                                .order_by(RegistrarAccount.created_at, RegistrarAccount.id)))


def enabled(session: Session, *, seller_id: uuid.UUID) -> list[RegistrarAccount]:
    return [account for account in list_all(session, seller_id=seller_id) if account.enabled]


def driver_of(account: RegistrarAccount) -> Registrar:
    """The account's driver, built from its unsealed settings."""
    secret_fields = _spec(account.driver).secret_fields
    return drivers.driver_for(account.driver, driver_settings.unsealed(account.settings, secret_fields),
                              test_mode=account.test_mode)


def public_settings(account: RegistrarAccount) -> dict[str, Any]:
    return driver_settings.public(account.settings, _spec(account.driver).secret_fields)


def create(session: Session, *, seller_id: uuid.UUID, driver: str, name: str, settings: Mapping[str, Any],
           test_mode: bool = True) -> RegistrarAccount:
    """Configure a registrar account; the unassigned TLDs it supports become active with it."""
    spec = _spec(driver)
    account = RegistrarAccount(
        seller_id=seller_id, driver=driver, name=driver_settings.check_name(name), test_mode=test_mode, enabled=True,
        settings=driver_settings.validated(spec.settings_model, settings, secret_fields=spec.secret_fields,
                                           seller_id=seller_id))
    session.add(account)
    session.flush()
    tlds.activate_supported(session, seller_id=seller_id, account=account, supported=driver_of(account).capabilities.tlds)
    return account


def update(session: Session, *, seller_id: uuid.UUID, account_id: uuid.UUID, changes: RegistrarAccountChanges
           ) -> RegistrarAccount:
    account = get_or_raise(session, seller_id=seller_id, account_id=account_id)
    spec = _spec(account.driver)
    if changes.name is not None:
        account.name = driver_settings.check_name(changes.name)
    if changes.settings is not None:
        account.settings = driver_settings.validated(spec.settings_model, changes.settings, previous=account.settings,
                                                     secret_fields=spec.secret_fields, seller_id=seller_id)
    if changes.test_mode is not None:
        account.test_mode = changes.test_mode
    if changes.enabled is not None and changes.enabled != account.enabled:
        account.enabled = changes.enabled
        if not changes.enabled:
            tlds.release(session, seller_id=seller_id, account_id=account.id)
    account.updated_at = clock.now()
    session.flush()
    if account.enabled:
        tlds.activate_supported(session, seller_id=seller_id, account=account,
                                supported=driver_of(account).capabilities.tlds)
    return account


def disable(session: Session, *, seller_id: uuid.UUID, account_id: uuid.UUID) -> RegistrarAccount:
    """Disabled: the TLDs it served are suspended until staff assign them to another registrar."""
    return update(session, seller_id=seller_id, account_id=account_id, changes=RegistrarAccountChanges(enabled=False))


def create_custom_tld(session: Session, *, seller_id: uuid.UUID, name: str) -> Tld:
    """A custom TLD; active at once with the first enabled registrar that supports it."""
    tld = tlds.create_custom(session, seller_id=seller_id, name=name)
    for account in enabled(session, seller_id=seller_id):
        tlds.activate_supported(session, seller_id=seller_id, account=account,
                                supported=driver_of(account).capabilities.tlds)
    return tld


def assign_tld(session: Session, *, seller_id: uuid.UUID, tld_id: uuid.UUID, account_id: uuid.UUID) -> Tld:
    """Staff make another enabled registrar the TLD's default."""
    account = get_or_raise(session, seller_id=seller_id, account_id=account_id, field="registrarAccountId")
    if not account.enabled:
        raise DomainsError(DomainsErrorCode.REGISTRAR_NOT_FOUND, "This registrar account is disabled.",
                           field="registrarAccountId")
    return tlds.assign_registrar(session, seller_id=seller_id, tld_id=tld_id, account=account,
                                 supported=driver_of(account).capabilities.tlds)


def for_name(session: Session, *, seller_id: uuid.UUID, name: str) -> tuple[Tld, RegistrarAccount]:
    """The active TLD of a domain name and its default registrar, or a typed refusal."""
    known = {t.name: t for t in session.scalars(select(Tld).where(Tld.seller_id == seller_id))}
    suffix = drivers.tld_of(name, set(known))
    tld = known.get(suffix) if suffix else None
    if tld is None or tld.status != "active" or tld.registrar_account_id is None:
        raise DomainsError(DomainsErrorCode.TLD_NOT_ACTIVE, "This TLD is not sold here.", field="name")
    account = session.get(RegistrarAccount, tld.registrar_account_id)
    if account is None or not account.enabled:
        raise DomainsError(DomainsErrorCode.TLD_NOT_ACTIVE, "This TLD is not sold here.", field="name")
    return tld, account
