"""A seller's certificate providers (add, edit, enable/disable) and the certificate plans it sells."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.domains import settings as driver_settings
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import CertificatePlan, CertificateProvider
from comptoir.provisioning import certificate_authority as authorities
from comptoir.provisioning import sandbox_ca  # noqa: F401 -- registers the sandbox authority
from comptoir.provisioning.certificate_authority import CertificateAuthority

CURRENCY = re.compile(r"^[A-Z]{3}$")


def _spec(driver: str) -> authorities.AuthoritySpec:
    try:
        return authorities.authority_spec(driver)
    except KeyError:
        raise DomainsError(DomainsErrorCode.UNKNOWN_DRIVER,
                           f"Choose one of: {', '.join(authorities.authority_names())}.", field="driver") from None


def get_or_raise(session: Session, *, seller_id: uuid.UUID, provider_id: uuid.UUID, field: str = "id"
                 ) -> CertificateProvider:
    provider = session.get(CertificateProvider, provider_id)
    if provider is None or provider.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.PROVIDER_NOT_FOUND, "No such certificate provider.", field=field)
    return provider


def list_all(session: Session, *, seller_id: uuid.UUID) -> list[CertificateProvider]:
    return list(session.scalars(select(CertificateProvider).where(CertificateProvider.seller_id == seller_id)
                                .order_by(CertificateProvider.created_at, CertificateProvider.id)))


def authority_of(provider: CertificateProvider) -> CertificateAuthority:
    secret_fields = _spec(provider.driver).secret_fields
    return authorities.authority_for(provider.driver, driver_settings.unsealed(provider.settings, secret_fields),
                                     test_mode=provider.test_mode)


def public_settings(provider: CertificateProvider) -> dict[str, Any]:
    return driver_settings.public(provider.settings, _spec(provider.driver).secret_fields)


def create(session: Session, *, seller_id: uuid.UUID, driver: str, name: str, settings: Mapping[str, Any],
           test_mode: bool = True) -> CertificateProvider:
    spec = _spec(driver)
    provider = CertificateProvider(
        seller_id=seller_id, driver=driver, name=driver_settings.check_name(name), test_mode=test_mode, enabled=True,
        settings=driver_settings.validated(spec.settings_model, settings, secret_fields=spec.secret_fields,
                                           seller_id=seller_id))
    session.add(provider)
    session.flush()
    return provider


def update(session: Session, *, seller_id: uuid.UUID, provider_id: uuid.UUID, name: str | None = None,
           settings: Mapping[str, Any] | None = None, test_mode: bool | None = None) -> CertificateProvider:
    provider = get_or_raise(session, seller_id=seller_id, provider_id=provider_id)
    spec = _spec(provider.driver)
    if name is not None:
        provider.name = driver_settings.check_name(name)
    if settings is not None:
        provider.settings = driver_settings.validated(spec.settings_model, settings, previous=provider.settings,
                                                      secret_fields=spec.secret_fields, seller_id=seller_id)
    if test_mode is not None:
        provider.test_mode = test_mode
    provider.updated_at = clock.now()
    session.flush()
    return provider


def set_enabled(session: Session, *, seller_id: uuid.UUID, provider_id: uuid.UUID, enabled: bool
                ) -> CertificateProvider:
    """Enable or disable; a provider that certificate plans use cannot be disabled."""
    provider = get_or_raise(session, seller_id=seller_id, provider_id=provider_id)
    if not enabled and session.scalar(select(CertificatePlan.id).where(
            CertificatePlan.seller_id == seller_id, CertificatePlan.provider_id == provider.id).limit(1)):
        raise DomainsError(DomainsErrorCode.PROVIDER_IN_USE,
                           "Certificate plans use this provider: move or remove them first.", field="id")
    provider.enabled, provider.updated_at = enabled, clock.now()
    session.flush()
    return provider


def create_plan(session: Session, *, seller_id: uuid.UUID, provider_id: uuid.UUID, name: str, product: str,
                currency: str, yearly_price: int) -> CertificatePlan:
    """A certificate plan: one product of an enabled provider, at a yearly price in minor units."""
    provider = get_or_raise(session, seller_id=seller_id, provider_id=provider_id, field="providerId")
    if not provider.enabled:
        raise DomainsError(DomainsErrorCode.PROVIDER_DISABLED, "This provider is disabled.", field="providerId")
    if product not in authority_of(provider).products:
        raise DomainsError(DomainsErrorCode.INVALID_SETTINGS, "The provider does not sell this product.",
                           field="product")
    if not CURRENCY.match(currency) or yearly_price < 0:
        raise DomainsError(DomainsErrorCode.INVALID_PRICES, "A currency code and a price of zero or more.",
                           field="yearlyPrice")
    plan = CertificatePlan(seller_id=seller_id, provider_id=provider.id, name=driver_settings.check_name(name),
                           product=product, currency=currency, yearly_price=yearly_price)
    session.add(plan)
    session.flush()
    return plan


def list_plans(session: Session, *, seller_id: uuid.UUID) -> list[CertificatePlan]:
    return list(session.scalars(select(CertificatePlan).where(CertificatePlan.seller_id == seller_id)
                                .order_by(CertificatePlan.name)))
