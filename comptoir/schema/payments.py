"""GraphQL types of payments: gateway configurations (settings typed per driver, secrets write-only),
stored payment methods, payments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from comptoir.money import Money as MoneyValue
from comptoir.payments import gateways
from comptoir.payments.drivers.base import Kind
from comptoir.payments.errors import PaymentErrorCode as _PaymentErrorCode
from comptoir.payments.listing import GatewayConfigSort as _GatewayConfigSort
from comptoir.payments.listing import PaymentSort as _PaymentSort
from comptoir.payments.models import GatewayConfig as GatewayConfigModel
from comptoir.payments.models import Payment as PaymentModel
from comptoir.payments.models import PaymentMethod as PaymentMethodModel
from comptoir.payments.rules import Status
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import Money

PaymentErrorCode = error_code_enum("PaymentErrorCode", _PaymentErrorCode)
PaymentStatus = strawberry.enum(Status, name="PaymentStatus")
GatewayKind = strawberry.enum(Kind, name="GatewayKind")
PaymentSortField = strawberry.enum(_PaymentSort, name="PaymentSortField")
GatewayConfigSortField = strawberry.enum(_GatewayConfigSort, name="GatewayConfigSortField")


class _ManualMethod(enum.Enum):
    CHEQUE = "cheque"
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"


ManualMethod = strawberry.enum(_ManualMethod, name="ManualMethod")


@strawberry.type
class PaymentError(UserError):
    code: PaymentErrorCode  # type: ignore[valid-type]


@strawberry.type(description="What a gateway driver can do.")
class GatewayCapabilities:
    kind: GatewayKind  # type: ignore[valid-type]
    currencies: list[str] = strawberry.field(description="Currencies the driver takes; empty: any.")
    authorise: bool
    capture: bool
    charge: bool
    refund: bool
    void: bool
    tokenise: bool
    virtual_terminal: bool
    asynchronous_status: bool


@strawberry.type
class SandboxCardSettings:
    merchant_id: str
    api_key_set: bool = strawberry.field(description="Whether an API key is stored (never shown).")
    currencies: list[str]


@strawberry.type
class SandboxExternalSettings:
    account_email: str
    webhook_secret_set: bool = strawberry.field(description="Whether a webhook secret is stored (never shown).")
    currencies: list[str]


@strawberry.type
class ManualSettings:
    methods: list[ManualMethod]  # type: ignore[valid-type]
    instructions: str


@strawberry.type
class BankAccountSettings:
    creditor_name: str
    creditor_identifier: str
    currencies: list[str]


@strawberry.type
class StripeSettings:
    secret_key_set: bool = strawberry.field(description="Whether a secret key is stored (never shown).")
    webhook_secret_set: bool
    currencies: list[str]


GatewaySettings = Annotated[SandboxCardSettings | SandboxExternalSettings | ManualSettings | BankAccountSettings
                            | StripeSettings, strawberry.union("GatewaySettings")]


def _settings(config: GatewayConfigModel) -> Any:
    shown = gateways.public_settings(config)
    if config.driver == "sandbox_card":
        return SandboxCardSettings(merchant_id=shown.get("merchant_id", ""), api_key_set=bool(shown.get("api_key")),
                                   currencies=shown.get("currencies", []))
    if config.driver == "sandbox_external":
        return SandboxExternalSettings(account_email=shown.get("account_email", ""),
                                       webhook_secret_set=bool(shown.get("webhook_secret")),
                                       currencies=shown.get("currencies", []))
    if config.driver == "manual":
        return ManualSettings(methods=[_ManualMethod(m) for m in shown.get("methods", [])],
                              instructions=shown.get("instructions", ""))
    if config.driver == "stripe":
        return StripeSettings(secret_key_set=bool(shown.get("secret_key")),
                              webhook_secret_set=bool(shown.get("webhook_secret")),
                              currencies=shown.get("currencies", []))
    return BankAccountSettings(creditor_name=shown.get("creditor_name", ""),
                               creditor_identifier=shown.get("creditor_identifier", ""),
                               currencies=shown.get("currencies", []))


@strawberry.type(description="A payment gateway as the seller configured it.")
class GatewayConfig(Node):
    name: str
    driver: str
    test_mode: bool
    enabled: bool
    capabilities: GatewayCapabilities
    settings: GatewaySettings  # type: ignore[valid-type]
    webhook_path: str = strawberry.field(description="Where the processor sends its signed callbacks.")

    @classmethod
    def from_model(cls, config: GatewayConfigModel) -> GatewayConfig:
        caps = gateways.driver_of(config).capabilities
        return cls(id=strawberry.ID(encode_id("GatewayConfig", config.id)), name=config.name, driver=config.driver,
                   test_mode=config.test_mode, enabled=config.enabled, settings=_settings(config),
                   webhook_path=f"/webhooks/{config.id}",
                   capabilities=GatewayCapabilities(
                       kind=caps.kind, currencies=sorted(caps.currencies), authorise=caps.authorise,
                       capture=caps.capture, charge=caps.charge, refund=caps.refund, void=caps.void,
                       tokenise=caps.tokenise, virtual_terminal=caps.virtual_terminal,
                       asynchronous_status=caps.asynchronous_status))


@strawberry.type(description="A stored card (never its number) or bank account (IBAN shown by its last 4).")
class PaymentMethod(Node):
    kind: str = strawberry.field(description="card or bank_account")
    gateway_config_id: strawberry.ID
    brand: str
    last4: str
    expiry_month: int | None
    expiry_year: int | None
    holder_name: str
    bic: str
    mandate_reference: str
    mandate_date: date | None
    is_default: bool
    authenticated: bool = strawberry.field(description="Authenticated with the customer present when saved.")

    @classmethod
    def from_model(cls, method: PaymentMethodModel) -> PaymentMethod:
        return cls(id=strawberry.ID(encode_id("PaymentMethod", method.id)), kind=method.kind,
                   gateway_config_id=strawberry.ID(encode_id("GatewayConfig", method.gateway_config_id)),
                   brand=method.brand, last4=method.last4, expiry_month=method.expiry_month,
                   expiry_year=method.expiry_year, holder_name=method.holder_name, bic=method.bic,
                   mandate_reference=method.mandate_reference, mandate_date=method.mandate_date,
                   is_default=method.is_default, authenticated=method.authenticated_at is not None)


@strawberry.type(description="One payment: its amount, where it stands, and what it pays for.")
class Payment(Node):
    status: PaymentStatus  # type: ignore[valid-type]
    kind: str = strawberry.field(description="card, external, manual or bank_account")
    manual_method: str
    initiator: str = strawberry.field(description="customer, merchant (renewals) or staff")
    amount: Money
    captured: Money
    refunded: Money
    customer_id: strawberry.ID | None
    gateway_config_id: strawberry.ID | None
    card_brand: str
    card_last4: str
    purpose: JSON
    post_to_ledger: bool
    failure_code: str
    decline: str = strawberry.field(description="soft or hard for declines; a hard decline is never retried.")
    action_url: str = strawberry.field(description="Where the customer authenticates (status REQUIRES_ACTION).")
    redirect_url: str = strawberry.field(description="Where the buyer pays (external gateways).")
    description: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, payment: PaymentModel, locale: str = "en") -> Payment:
        def money(minor: int) -> Money:
            return Money.of(MoneyValue(minor, payment.currency), locale)

        return cls(
            id=strawberry.ID(encode_id("Payment", payment.id)), status=Status(payment.status), kind=payment.kind,
            manual_method=payment.manual_method, initiator=payment.initiator, amount=money(payment.amount),
            captured=money(payment.captured), refunded=money(payment.refunded),
            customer_id=strawberry.ID(encode_id("Customer", payment.customer_id)) if payment.customer_id else None,
            gateway_config_id=(strawberry.ID(encode_id("GatewayConfig", payment.gateway_config_id))
                               if payment.gateway_config_id else None),
            card_brand=payment.card_brand, card_last4=payment.card_last4, purpose=payment.purpose,
            post_to_ledger=payment.post_to_ledger, failure_code=payment.failure_code, decline=payment.decline,
            action_url=payment.action_url, redirect_url=payment.redirect_url, description=payment.description,
            created_at=payment.created_at, updated_at=payment.updated_at)


@strawberry.type(description="The seller's payment settings.")
class PaymentSettings:
    card_expiry_notice_days: int = strawberry.field(
        description="Holders of cards expiring within this many days are reminded (weekly).")
    poll_interval_minutes: int = strawberry.field(description="How often a charge that settles later is checked.")
    poll_max_checks: int = strawberry.field(description="Checks before such a charge is given up as an error.")
