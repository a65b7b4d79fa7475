"""Gateway configurations of a seller (typed settings per driver, secrets sealed) and the stores that
offer them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.errors import DomainErrors
from comptoir.payments.drivers import DRIVERS
from comptoir.payments.drivers.base import DriverSettings, PaymentGateway
from comptoir.payments.errors import PaymentError
from comptoir.payments.errors import PaymentErrorCode as Code
from comptoir.payments.models import GatewayConfig, StoreGateway
from comptoir.security.secrets import seal, unseal


@dataclass(frozen=True)
class GatewayChanges:
    name: str | None = None
    settings: dict[str, Any] | None = None  # secrets left out of an update keep their stored value
    test_mode: bool | None = None
    enabled: bool | None = None


def driver_of(config: GatewayConfig) -> PaymentGateway:
    return DRIVERS[config.driver]


def settings_of(config: GatewayConfig) -> Any:
    """The configuration's typed settings, secrets unsealed (only ever handed to its driver)."""
    model = driver_of(config).settings_model
    values = {name: unseal(value) if name in model.secret_fields() else value
              for name, value in config.settings.items()}
    return model.model_validate(values)


def public_settings(config: GatewayConfig) -> dict[str, Any]:
    """The settings as the API shows them: secrets are write-only (only whether one is set)."""
    secret = driver_of(config).settings_model.secret_fields()
    return {name: (bool(value) if name in secret else value) for name, value in config.settings.items()}


def _validated(driver: PaymentGateway, values: dict[str, Any]) -> DriverSettings:
    try:
        return driver.settings_model.model_validate(values)
    except ValidationError as error:
        raise DomainErrors([
            PaymentError(Code.INVALID_SETTINGS, item["msg"],
                         field="settings." + ".".join(str(part) for part in item["loc"]))
            for item in error.errors()]) from None


def _stored(settings: DriverSettings, seller_id: uuid.UUID) -> dict[str, Any]:
    stored = settings.model_dump(mode="json")
    for name in settings.secret_fields():
        secret: SecretStr = getattr(settings, name)
        stored[name] = seal(secret.get_secret_value(), seller_id=seller_id)
    return stored


def create(session: Session, *, seller_id: uuid.UUID, name: str, driver: str, settings: dict[str, Any],
           test_mode: bool = True, enabled: bool = True) -> GatewayConfig:
    """Configure a gateway driver for the seller."""
    if driver not in DRIVERS:
        raise PaymentError(Code.UNKNOWN_DRIVER, f"no gateway driver named {driver!r}", field="driver")
    typed = _validated(DRIVERS[driver], settings)
    config = GatewayConfig(seller_id=seller_id, name=name, driver=driver, settings=_stored(typed, seller_id),
                           test_mode=test_mode, enabled=enabled)
    return _saved(session, config)


def update(session: Session, *, config_id: uuid.UUID, changes: GatewayChanges) -> GatewayConfig:
    config = get_or_raise(session, config_id=config_id)
    if changes.settings is not None:
        model = driver_of(config).settings_model
        kept = {name: unseal(config.settings[name]) for name in model.secret_fields()
                if name in config.settings and changes.settings.get(name) is None}
        merged = {k: v for k, v in changes.settings.items() if v is not None} | kept
        config.settings = _stored(_validated(driver_of(config), merged), config.seller_id)
    for attribute in ("name", "test_mode", "enabled"):
        value = getattr(changes, attribute)
        if value is not None:
            setattr(config, attribute, value)
    config.updated_at = func.now()
    return _saved(session, config)


def _saved(session: Session, config: GatewayConfig) -> GatewayConfig:
    try:
        with session.begin_nested():
            session.add(config)
            session.flush()
    except IntegrityError as error:
        if "gateway_configs_seller_id_name_key" in str(error.orig):
            raise PaymentError(Code.GATEWAY_NAME_TAKEN, "a gateway of that name exists", field="name") from None
        raise
    session.refresh(config)
    return config


def get_or_raise(session: Session, *, config_id: uuid.UUID | None) -> GatewayConfig:
    config = session.get(GatewayConfig, config_id) if config_id is not None else None
    if config is None:
        raise PaymentError(Code.GATEWAY_NOT_FOUND, field="gatewayConfigId")
    return config


def usable_or_raise(session: Session, *, config_id: uuid.UUID, currency: str) -> GatewayConfig:
    """An enabled configuration that accepts `currency`."""
    config = get_or_raise(session, config_id=config_id)
    if not config.enabled:
        raise PaymentError(Code.GATEWAY_DISABLED, field="gatewayConfigId")
    restricted = config.settings.get("currencies") or []
    if not driver_of(config).capabilities.accepts(currency) or (restricted and currency not in restricted):
        raise PaymentError(Code.CURRENCY_NOT_ACCEPTED, f"this gateway does not take {currency}", field="currency")
    return config


def set_store_gateways(session: Session, *, seller_id: uuid.UUID, store_id: uuid.UUID,
                       config_ids: list[uuid.UUID]) -> list[GatewayConfig]:
    """The gateways a store offers, in this order (replacing the previous list)."""
    configs = [get_or_raise(session, config_id=config_id) for config_id in dict.fromkeys(config_ids)]
    session.execute(delete(StoreGateway).where(StoreGateway.seller_id == seller_id,
                                               StoreGateway.store_id == store_id))
    session.add_all(StoreGateway(seller_id=seller_id, store_id=store_id, gateway_config_id=config.id,
                                 position=index) for index, config in enumerate(configs))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise PaymentError(Code.GATEWAY_NOT_FOUND, "no such store", field="storeId") from None
    return configs


def store_gateways(session: Session, *, store_id: uuid.UUID) -> list[GatewayConfig]:
    """The enabled gateways a store offers, in the seller's order."""
    return list(session.scalars(
        select(GatewayConfig).join(StoreGateway, StoreGateway.gateway_config_id == GatewayConfig.id)
        .where(StoreGateway.store_id == store_id, GatewayConfig.enabled).order_by(StoreGateway.position)))

