"""GraphQL inputs and payloads of payments."""

from __future__ import annotations

from datetime import date

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.payments.listing import GatewayConfigSort, PaymentSort
from comptoir.schema.payments import (
    GatewayConfig,
    GatewayConfigSortField,
    ManualMethod,
    Payment,
    PaymentError,
    PaymentMethod,
    PaymentSettings,
    PaymentSortField,
    PaymentStatus,
)


@strawberry.input
class SandboxCardSettingsInput:
    merchant_id: str
    api_key: str | None = strawberry.field(default=None, description="Write-only; left out: the stored one stays.")
    currencies: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class SandboxExternalSettingsInput:
    account_email: str
    webhook_secret: str | None = strawberry.field(default=None, description="Write-only; left out: kept.")
    currencies: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class ManualSettingsInput:
    methods: list[ManualMethod]  # type: ignore[valid-type]
    instructions: str = ""


@strawberry.input
class BankAccountSettingsInput:
    creditor_name: str
    creditor_identifier: str
    currencies: list[str] = strawberry.field(default_factory=lambda: ["EUR"])


@strawberry.input
class StripeSettingsInput:
    secret_key: str | None = strawberry.field(default=None, description="Write-only; left out: kept.")
    webhook_secret: str | None = strawberry.field(default=None, description="Write-only; left out: kept.")
    currencies: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="The settings of exactly one driver: the one given is the gateway's driver.")
class GatewaySettingsInput:
    sandbox_card: SandboxCardSettingsInput | None = None
    sandbox_external: SandboxExternalSettingsInput | None = None
    manual: ManualSettingsInput | None = None
    bank_account: BankAccountSettingsInput | None = None
    stripe: StripeSettingsInput | None = None


@strawberry.input
class GatewayConfigCreateInput:
    name: str
    settings: GatewaySettingsInput
    test_mode: bool = True
    enabled: bool = True


@strawberry.input
class GatewayConfigUpdateInput:
    id: strawberry.ID
    name: str | None = None
    settings: GatewaySettingsInput | None = None
    test_mode: bool | None = None


@strawberry.input
class GatewayConfigIdInput:
    id: strawberry.ID


@strawberry.type
class GatewayConfigPayload:
    gateway_config: GatewayConfig | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.input
class StoreGatewaysSetInput:
    store_id: strawberry.ID
    gateway_config_ids: list[strawberry.ID]


@strawberry.type
class StoreGatewaysSetPayload:
    gateway_configs: list[GatewayConfig] | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.input(description="Card data typed by a person: passed to the gateway's tokeniser, never stored.")
class CardInput:
    number: str
    expiry_month: int
    expiry_year: int
    cvv: str
    holder_name: str = ""


@strawberry.input
class PaymentMethodAddCardInput:
    gateway_config_id: strawberry.ID
    card: CardInput
    make_default: bool = True


@strawberry.input
class PaymentMethodAddBankAccountInput:
    gateway_config_id: strawberry.ID
    holder_name: str
    iban: str
    bic: str = ""
    mandate_reference: str
    mandate_date: date
    make_default: bool = True


@strawberry.input
class PaymentMethodIdInput:
    id: strawberry.ID


@strawberry.type
class PaymentMethodPayload:
    payment_method: PaymentMethod | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentMethodRemovePayload:
    removed_id: strawberry.ID | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.input
class VirtualTerminalChargeInput:
    gateway_config_id: strawberry.ID
    card: CardInput
    amount_minor: int
    currency: str
    idempotency_key: str
    customer_id: strawberry.ID | None = None
    post_to_ledger: bool = strawberry.field(default=True, description="Whether billing books accounting entries.")
    authorise_only: bool = False
    description: str = ""


@strawberry.input
class PaymentCaptureInput:
    id: strawberry.ID
    amount_minor: int | None = strawberry.field(default=None, description="Less than authorised: the rest is released.")


@strawberry.input
class PaymentRefundInput:
    id: strawberry.ID
    amount_minor: int | None = strawberry.field(default=None, description="Left out: everything not yet refunded.")
    reason: str = ""


@strawberry.input
class PaymentIdInput:
    id: strawberry.ID


@strawberry.type
class PaymentPayload:
    payment: Payment | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentCaptureAllPayload:
    payments: list[Payment] = strawberry.field(default_factory=list)
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.input
class PaymentFilterInput:
    status: PaymentStatus | None = None  # type: ignore[valid-type]
    customer_id: strawberry.ID | None = None
    gateway_config_id: strawberry.ID | None = None


@strawberry.input
class PaymentSortInput:
    field: PaymentSortField = PaymentSort.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class GatewayConfigSortInput:
    field: GatewayConfigSortField = GatewayConfigSort.NAME  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC



@strawberry.input
class PaymentSettingsUpdateInput:
    card_expiry_notice_days: int | None = None
    poll_interval_minutes: int | None = None
    poll_max_checks: int | None = None


@strawberry.type
class PaymentSettingsUpdatePayload:
    payment_settings: PaymentSettings | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)
