"""Query and Mutation fields of payments."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import payments as resolvers
from comptoir.schema.base import Connection
from comptoir.schema.payments import GatewayConfig, Payment, PaymentMethod, PaymentSettings
from comptoir.schema.payments_inputs import (
    GatewayConfigPayload,
    PaymentCaptureAllPayload,
    PaymentMethodPayload,
    PaymentMethodRemovePayload,
    PaymentPayload,
    PaymentSettingsUpdatePayload,
    StoreGatewaysSetPayload,
)
from comptoir.schema.permissions import IsAuthenticated, IsCustomer, IsStaff


@strawberry.type
class PaymentsQuery:
    gateway_configs: Connection[GatewayConfig] = strawberry.field(
        resolver=resolvers.gateway_configs, permission_classes=[IsStaff])
    payment_methods: list[PaymentMethod] = strawberry.field(
        resolver=resolvers.payment_methods, permission_classes=[IsAuthenticated],
        description="A customer's stored methods, the default first: the logged-in customer's own, or for staff "
                    "those of `customerId`.")
    payment_settings: PaymentSettings = strawberry.field(resolver=resolvers.payment_settings,
                                                         permission_classes=[IsStaff])
    payments: Connection[Payment] = strawberry.field(
        resolver=resolvers.payments, permission_classes=[IsStaff], description="Newest first unless sorted otherwise.")


def _staff(resolver, description: str = ""):  # type: ignore[no-untyped-def]
    return strawberry.mutation(resolver=resolver, permission_classes=[IsStaff], description=description or None)


def _customer(resolver, description: str = ""):  # type: ignore[no-untyped-def]
    return strawberry.mutation(resolver=resolver, permission_classes=[IsCustomer], description=description or None)


@strawberry.type
class PaymentsMutation:
    gateway_config_create: GatewayConfigPayload = _staff(resolvers.gateway_config_create)
    gateway_config_update: GatewayConfigPayload = _staff(resolvers.gateway_config_update)
    gateway_config_enable: GatewayConfigPayload = _staff(resolvers.gateway_config_enable)
    gateway_config_disable: GatewayConfigPayload = _staff(resolvers.gateway_config_disable)
    store_gateways_set: StoreGatewaysSetPayload = _staff(resolvers.store_gateways_set,
                                                         "The gateways a store offers, in this order.")
    payment_method_add_card: PaymentMethodPayload = _customer(
        resolvers.payment_method_add_card,
        "Save a card: its number and CVV go to the gateway's tokeniser and are never stored or logged.")
    payment_method_add_bank_account: PaymentMethodPayload = _customer(resolvers.payment_method_add_bank_account)
    payment_method_set_default: PaymentMethodPayload = _customer(resolvers.payment_method_set_default)
    payment_method_remove: PaymentMethodRemovePayload = _customer(resolvers.payment_method_remove)
    virtual_terminal_charge: PaymentPayload = _staff(
        resolvers.virtual_terminal_charge, "Charge or authorise a card directly (phone orders, tests).")
    payment_capture: PaymentPayload = _staff(resolvers.payment_capture)
    payment_capture_all: PaymentCaptureAllPayload = _staff(resolvers.payment_capture_all,
                                                           "Capture every uncaptured authorisation.")
    payment_refund: PaymentPayload = _staff(resolvers.payment_refund)
    payment_void: PaymentPayload = _staff(resolvers.payment_void)
    payment_mark_paid: PaymentPayload = _staff(resolvers.payment_mark_paid,
                                               "A manual payment received, or a direct debit collected.")
    payment_settings_update: PaymentSettingsUpdatePayload = _staff(resolvers.payment_settings_update)
    payment_authenticate: PaymentPayload = _customer(
        resolvers.payment_authenticate,
        "The customer has authenticated with their bank (the e-mailed link): the payment completes.")
