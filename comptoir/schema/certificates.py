"""GraphQL types of certificate providers, certificate plans and certificate orders (SPEC §7)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from comptoir.domains import certificate_providers
from comptoir.domains.certificate_orders import PRIVATE_KEY
from comptoir.domains.models import CertificateOrder as CertificateOrderModel
from comptoir.domains.models import CertificatePlan as CertificatePlanModel
from comptoir.domains.models import CertificateProvider as CertificateProviderModel
from comptoir.money import Money as MoneyValue
from comptoir.schema.domains import DomainsError
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import Money


@strawberry.enum
class CertificateOrderState(enum.Enum):
    USER_INPUT_REQUIRED = "user_input_required"
    SUBMITTED = "submitted"
    PENDING_VALIDATION = "pending_validation"
    ISSUED = "issued"
    FAILED = "failed"


@strawberry.type(description="A seller's certificate authority account. Secret settings read back as whether set.")
class CertificateProvider:
    id: strawberry.ID
    driver: str
    name: str
    settings: JSON
    test_mode: bool
    enabled: bool
    products: list[str]
    created_at: datetime

    @classmethod
    def from_model(cls, row: CertificateProviderModel) -> CertificateProvider:
        return cls(id=strawberry.ID(encode_id("CertificateProvider", row.id)), driver=row.driver, name=row.name,
                   settings=certificate_providers.public_settings(row), test_mode=row.test_mode, enabled=row.enabled,
                   products=list(certificate_providers.authority_of(row).products), created_at=row.created_at)


@strawberry.type
class CertificatePlan:
    id: strawberry.ID
    provider_id: strawberry.ID
    name: str
    product: str
    yearly_price: Money

    @classmethod
    def from_model(cls, row: CertificatePlanModel) -> CertificatePlan:
        return cls(id=strawberry.ID(encode_id("CertificatePlan", row.id)),
                   provider_id=strawberry.ID(encode_id("CertificateProvider", row.provider_id)), name=row.name,
                   product=row.product, yearly_price=Money.of(MoneyValue(row.yearly_price, row.currency), "en"))


@strawberry.type(description="A certificate being bought: the conversation with the authority and its outcome.")
class CertificateOrder:
    id: strawberry.ID
    plan_id: strawberry.ID
    common_name: str
    state: CertificateOrderState
    requested: list[str] = strawberry.field(description="What the authority asks for now (when USER_INPUT_REQUIRED).")
    answered: list[str] = strawberry.field(description="The names of the answers given so far.")
    rounds: int
    certificate_pem: str | None
    expires_on: date | None
    subscription_id: strawberry.ID | None

    @classmethod
    def from_model(cls, row: CertificateOrderModel) -> CertificateOrder:
        return cls(id=strawberry.ID(encode_id("CertificateOrder", row.id)),
                   plan_id=strawberry.ID(encode_id("CertificatePlan", row.plan_id)), common_name=row.common_name,
                   state=CertificateOrderState(row.state), requested=list(row.requested),
                   answered=sorted(k for k in row.answers if k != PRIVATE_KEY), rounds=row.rounds,
                   certificate_pem=row.certificate_pem or None, expires_on=row.expires_on,
                   subscription_id=strawberry.ID(encode_id("Subscription", row.subscription_id))
                   if row.subscription_id else None)


@strawberry.input
class CertificateProviderCreateInput:
    driver: str
    name: str
    settings: JSON
    test_mode: bool = True


@strawberry.input
class CertificateProviderUpdateInput:
    id: strawberry.ID
    name: str | None = None
    settings: JSON | None = None
    test_mode: bool | None = None


@strawberry.input
class CertificateProviderIdInput:
    id: strawberry.ID


@strawberry.type
class CertificateProviderPayload:
    certificate_provider: CertificateProvider | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)


@strawberry.input
class CertificatePlanCreateInput:
    provider_id: strawberry.ID
    name: str
    product: str
    currency: str
    yearly_price: int = strawberry.field(description="Minor units.")


@strawberry.type
class CertificatePlanPayload:
    certificate_plan: CertificatePlan | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)


@strawberry.input
class CertificateOrderPlaceInput:
    plan_id: strawberry.ID
    customer_id: strawberry.ID
    common_name: str
    subscription_id: strawberry.ID | None = strawberry.field(
        default=None, description="The hosting subscription to install it on once issued (a dedicated address).")


@strawberry.input
class CertificateOrderSubmitInput:
    id: strawberry.ID
    answers: JSON = strawberry.field(description="What the authority asked, by name: {\"dcv_method\": \"email\"}.")
    generate_key: bool = strawberry.field(default=False, description="Make the key and CSR for me.")


@strawberry.type
class CertificateOrderPayload:
    certificate_order: CertificateOrder | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)
