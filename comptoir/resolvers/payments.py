"""Resolvers of payments: gateway configurations, stores' gateways, stored methods, payments (thin)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import CommonErrorCode, DomainError
from comptoir.payments import gateways, listing, methods, seller_settings, service
from comptoir.payments.drivers.base import CardInput as Card
from comptoir.payments.models import Payment as PaymentModel
from comptoir.payments.models import PaymentMethod as PaymentMethodModel
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.ids import decode_id, decode_optional_id
from comptoir.schema.payments import GatewayConfig, Payment, PaymentMethod, PaymentSettings
from comptoir.schema.payments_inputs import (
    CardInput,
    GatewayConfigCreateInput,
    GatewayConfigIdInput,
    GatewayConfigPayload,
    GatewayConfigSortInput,
    GatewayConfigUpdateInput,
    GatewaySettingsInput,
    PaymentCaptureAllPayload,
    PaymentCaptureInput,
    PaymentFilterInput,
    PaymentIdInput,
    PaymentMethodAddBankAccountInput,
    PaymentMethodAddCardInput,
    PaymentMethodIdInput,
    PaymentMethodPayload,
    PaymentMethodRemovePayload,
    PaymentPayload,
    PaymentRefundInput,
    PaymentSettingsUpdateInput,
    PaymentSettingsUpdatePayload,
    PaymentSortInput,
    StoreGatewaysSetInput,
    StoreGatewaysSetPayload,
    VirtualTerminalChargeInput,
)

DRIVER_FIELDS = {"sandbox_card": "sandbox_card", "sandbox_external": "sandbox_external", "manual": "manual",
                 "bank_account": "bank_account", "stripe": "stripe"}


def _driver_settings(settings: GatewaySettingsInput) -> tuple[str, dict[str, Any]]:
    given = [(driver, getattr(settings, name)) for driver, name in DRIVER_FIELDS.items()
             if getattr(settings, name) is not None]
    if len(given) != 1:
        raise DomainError(CommonErrorCode.INVALID, "give the settings of exactly one driver", field="settings")
    driver, values = given[0]
    plain = {key: (value.value if hasattr(value, "value") else value) for key, value in values.__dict__.items()}
    plain = {key: ([getattr(v, "value", v) for v in value] if isinstance(value, list) else value)
             for key, value in plain.items()}
    return driver, plain


def _card(card: CardInput) -> Card:
    return Card(number=card.number, expiry_month=card.expiry_month, expiry_year=card.expiry_year, cvv=card.cvv,
                holder_name=card.holder_name)


def _locale(info: Info) -> str:
    return getattr(info.context, "locale", None) or "en"


# ---- gateway configurations ----------------------------------------------------------------------

async def gateway_configs(info: Info, first: int | None = None, after: str | None = None,
                          sort: GatewayConfigSortInput | None = None) -> Connection[GatewayConfig]:
    sort = sort or GatewayConfigSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: Connection[GatewayConfig].from_page(
        listing.gateway_configs_page(s, seller_id=seller_id, page=request, sort=sort.field),
        GatewayConfig.from_model))


async def gateway_config_create(info: Info, input: GatewayConfigCreateInput) -> GatewayConfigPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> GatewayConfig:
        driver, settings = _driver_settings(input.settings)
        return GatewayConfig.from_model(gateways.create(session, seller_id=seller_id, name=input.name, driver=driver,
                                                        settings=settings, test_mode=input.test_mode,
                                                        enabled=input.enabled))
    return await mutate(info, GatewayConfigPayload, work, lambda c: GatewayConfigPayload(gateway_config=c))


async def gateway_config_update(info: Info, input: GatewayConfigUpdateInput) -> GatewayConfigPayload:
    def work(session: Session) -> GatewayConfig:
        config_id = decode_id(input.id, "GatewayConfig")
        settings = None
        if input.settings is not None:
            driver, settings = _driver_settings(input.settings)
            if driver != gateways.get_or_raise(session, config_id=config_id).driver:
                raise DomainError(CommonErrorCode.INVALID, "a gateway keeps its driver", field="settings")
        return GatewayConfig.from_model(gateways.update(session, config_id=config_id, changes=gateways.GatewayChanges(
            name=input.name, settings=settings, test_mode=input.test_mode)))
    return await mutate(info, GatewayConfigPayload, work, lambda c: GatewayConfigPayload(gateway_config=c))


async def _set_enabled(info: Info, input: GatewayConfigIdInput, enabled: bool) -> GatewayConfigPayload:
    return await mutate(info, GatewayConfigPayload, lambda s: GatewayConfig.from_model(gateways.update(
        s, config_id=decode_id(input.id, "GatewayConfig"), changes=gateways.GatewayChanges(enabled=enabled))),
        lambda c: GatewayConfigPayload(gateway_config=c))


async def gateway_config_enable(info: Info, input: GatewayConfigIdInput) -> GatewayConfigPayload:
    return await _set_enabled(info, input, True)


async def gateway_config_disable(info: Info, input: GatewayConfigIdInput) -> GatewayConfigPayload:
    return await _set_enabled(info, input, False)


async def store_gateways_set(info: Info, input: StoreGatewaysSetInput) -> StoreGatewaysSetPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> list[GatewayConfig]:
        ids = [decode_id(i, "GatewayConfig", field="gatewayConfigIds") for i in input.gateway_config_ids]
        configs = gateways.set_store_gateways(session, seller_id=seller_id,
                                              store_id=decode_id(input.store_id, "Store", field="storeId"),
                                              config_ids=ids)
        return [GatewayConfig.from_model(c) for c in configs]
    return await mutate(info, StoreGatewaysSetPayload, work, lambda c: StoreGatewaysSetPayload(gateway_configs=c))


# ---- stored payment methods ------------------------------------------------------------------------

async def payment_methods(info: Info, customer_id: str | None = None) -> list[PaymentMethod]:
    tenant = info.context.tenant
    owner = tenant.customer_id if tenant.customer_id else decode_optional_id(customer_id, "Customer",
                                                                             field="customerId")
    if owner is None:
        return []
    return await info.context.run(lambda s: [PaymentMethod.from_model(m)
                                             for m in methods.list_for_customer(s, customer_id=owner)])


async def payment_method_add_card(info: Info, input: PaymentMethodAddCardInput) -> PaymentMethodPayload:
    tenant = info.context.tenant
    return await mutate(info, PaymentMethodPayload, lambda s: PaymentMethod.from_model(methods.add_card(
        s, seller_id=tenant.seller_id, customer_id=tenant.customer_id,
        gateway_config_id=decode_id(input.gateway_config_id, "GatewayConfig", field="gatewayConfigId"),
        card=_card(input.card), make_default=input.make_default)), lambda m: PaymentMethodPayload(payment_method=m))


async def payment_method_add_bank_account(info: Info, input: PaymentMethodAddBankAccountInput) -> PaymentMethodPayload:
    tenant = info.context.tenant
    account = methods.BankAccountInput(holder_name=input.holder_name, iban=input.iban, bic=input.bic,
                                       mandate_reference=input.mandate_reference, mandate_date=input.mandate_date)
    return await mutate(info, PaymentMethodPayload, lambda s: PaymentMethod.from_model(methods.add_bank_account(
        s, seller_id=tenant.seller_id, customer_id=tenant.customer_id,
        gateway_config_id=decode_id(input.gateway_config_id, "GatewayConfig", field="gatewayConfigId"),
        account=account, make_default=input.make_default)), lambda m: PaymentMethodPayload(payment_method=m))


async def payment_method_set_default(info: Info, input: PaymentMethodIdInput) -> PaymentMethodPayload:
    return await mutate(info, PaymentMethodPayload, lambda s: PaymentMethod.from_model(methods.set_default(
        s, method_id=decode_id(input.id, "PaymentMethod"))), lambda m: PaymentMethodPayload(payment_method=m))


async def payment_method_remove(info: Info, input: PaymentMethodIdInput) -> PaymentMethodRemovePayload:
    return await mutate(info, PaymentMethodRemovePayload,
                        lambda s: methods.remove(s, method_id=decode_id(input.id, "PaymentMethod")),
                        lambda _: PaymentMethodRemovePayload(removed_id=input.id))


# ---- payments --------------------------------------------------------------------------------------

async def payments(info: Info, first: int | None = None, after: str | None = None,
                   filter: PaymentFilterInput | None = None,
                   sort: PaymentSortInput | None = None) -> Connection[Payment]:
    sort = sort or PaymentSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id, locale = info.context.tenant.seller_id, _locale(info)
    filter = filter or PaymentFilterInput()

    def load(session: Session) -> Connection[Payment]:
        page = listing.payments_page(
            session, seller_id=seller_id, page=request, sort=sort.field, status=filter.status,
            customer_id=decode_optional_id(filter.customer_id, "Customer", field="filter.customerId"),
            gateway_config_id=decode_optional_id(filter.gateway_config_id, "GatewayConfig",
                                                 field="filter.gatewayConfigId"))
        return Connection[Payment].from_page(page, lambda p: Payment.from_model(p, locale))
    return await info.context.run(load)


async def load_payment(info: Info, payment_id: uuid.UUID) -> Payment | None:
    row = await info.context.run(lambda s: s.get(PaymentModel, payment_id))
    return Payment.from_model(row, _locale(info)) if row else None


async def load_payment_method(info: Info, method_id: uuid.UUID) -> PaymentMethod | None:
    row = await info.context.run(lambda s: s.get(PaymentMethodModel, method_id))
    return PaymentMethod.from_model(row) if row else None


async def virtual_terminal_charge(info: Info, input: VirtualTerminalChargeInput) -> PaymentPayload:
    seller_id, locale = info.context.tenant.seller_id, _locale(info)

    def work(session: Session) -> Payment:
        new = service.NewPayment(
            gateway_config_id=decode_id(input.gateway_config_id, "GatewayConfig", field="gatewayConfigId"),
            amount=input.amount_minor, currency=input.currency.upper(), idempotency_key=input.idempotency_key,
            customer_id=decode_optional_id(input.customer_id, "Customer", field="customerId"), initiator="staff",
            purpose={"virtual_terminal": True}, post_to_ledger=input.post_to_ledger, description=input.description)
        return Payment.from_model(service.virtual_terminal(session, seller_id=seller_id, new=new,
                                                           card=_card(input.card),
                                                           authorise_only=input.authorise_only), locale)
    return await mutate(info, PaymentPayload, work, lambda p: PaymentPayload(payment=p))


async def _payment_mutation(info: Info, work: Any) -> PaymentPayload:
    locale = _locale(info)
    return await mutate(info, PaymentPayload, lambda s: Payment.from_model(work(s), locale),
                        lambda p: PaymentPayload(payment=p))


async def payment_capture(info: Info, input: PaymentCaptureInput) -> PaymentPayload:
    return await _payment_mutation(info, lambda s: service.capture(
        s, payment_id=decode_id(input.id, "Payment"), amount=input.amount_minor))


async def payment_capture_all(info: Info) -> PaymentCaptureAllPayload:
    seller_id, locale = info.context.tenant.seller_id, _locale(info)
    return await mutate(info, PaymentCaptureAllPayload, lambda s: [
        Payment.from_model(p, locale) for p in service.capture_all(s, seller_id=seller_id)],
        lambda p: PaymentCaptureAllPayload(payments=p))


async def payment_refund(info: Info, input: PaymentRefundInput) -> PaymentPayload:
    return await _payment_mutation(info, lambda s: service.refund(
        s, payment_id=decode_id(input.id, "Payment"), amount=input.amount_minor, reason=input.reason))


async def payment_void(info: Info, input: PaymentIdInput) -> PaymentPayload:
    return await _payment_mutation(info, lambda s: service.void(s, payment_id=decode_id(input.id, "Payment")))


async def payment_mark_paid(info: Info, input: PaymentIdInput) -> PaymentPayload:
    return await _payment_mutation(info, lambda s: service.mark_paid(s, payment_id=decode_id(input.id, "Payment")))


async def payment_authenticate(info: Info, input: PaymentIdInput) -> PaymentPayload:
    return await _payment_mutation(info, lambda s: service.request_authentication_done(
        s, payment_id=decode_id(input.id, "Payment")))


# ---- settings --------------------------------------------------------------------------------------

def _settings(row: Any) -> PaymentSettings:
    return PaymentSettings(card_expiry_notice_days=row.card_expiry_notice_days,
                           poll_interval_minutes=row.poll_interval_minutes, poll_max_checks=row.poll_max_checks)


async def payment_settings(info: Info) -> PaymentSettings:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: _settings(seller_settings.get(s, seller_id=seller_id)))


async def payment_settings_update(info: Info, input: PaymentSettingsUpdateInput) -> PaymentSettingsUpdatePayload:
    seller_id = info.context.tenant.seller_id
    changes = seller_settings.SettingsChanges(card_expiry_notice_days=input.card_expiry_notice_days,
                                              poll_interval_minutes=input.poll_interval_minutes,
                                              poll_max_checks=input.poll_max_checks)
    return await mutate(info, PaymentSettingsUpdatePayload,
                        lambda s: _settings(seller_settings.update(s, seller_id=seller_id, changes=changes)),
                        lambda p: PaymentSettingsUpdatePayload(payment_settings=p))
