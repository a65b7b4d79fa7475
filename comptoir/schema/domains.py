"""GraphQL types of registrar accounts, TLDs, domain plans and domains (SPEC §7)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from comptoir.database.pagination import SortDirection
from comptoir.domains import registrars
from comptoir.domains.availability import Check
from comptoir.domains.availability import Verdict as _Verdict
from comptoir.domains.errors import DomainsErrorCode as _DomainsErrorCode
from comptoir.domains.models import Domain as DomainModel
from comptoir.domains.models import DomainOperation as DomainOperationModel
from comptoir.domains.models import DomainPlan as DomainPlanModel
from comptoir.domains.models import DomainPlanTld as DomainPlanTldModel
from comptoir.domains.models import RegistrarAccount as RegistrarAccountModel
from comptoir.domains.models import Tld as TldModel
from comptoir.money import Money as MoneyValue
from comptoir.provisioning.registrar import RegistrarErrorCode as _RegistrarErrorCode
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import Money

DomainsErrorCode = error_code_enum("DomainsErrorCode", _DomainsErrorCode, _RegistrarErrorCode)
DomainAvailability = strawberry.enum(_Verdict, name="DomainAvailability")


@strawberry.enum
class TldStatus(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@strawberry.enum
class DomainStatus(enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    TRANSFER_PENDING = "transfer_pending"
    FAILED = "failed"


@strawberry.enum
class DomainSortField(enum.Enum):
    CREATED_AT = "created_at"
    NAME = "name"
    EXPIRES_ON = "expires_on"


@strawberry.type
class DomainsError(UserError):
    code: DomainsErrorCode  # type: ignore[valid-type]


def _id(type_name: str, value: object) -> strawberry.ID:
    return strawberry.ID(encode_id(type_name, value))  # type: ignore[arg-type]


@strawberry.type(description="A seller's account with a registrar. Secret settings read back as whether they are set.")
class RegistrarAccount(Node):
    driver: str
    name: str
    settings: JSON
    test_mode: bool
    enabled: bool
    supported_tlds: list[str]
    created_at: datetime

    @classmethod
    def from_model(cls, row: RegistrarAccountModel) -> RegistrarAccount:
        return cls(id=_id("RegistrarAccount", row.id), driver=row.driver, name=row.name,
                   settings=registrars.public_settings(row), test_mode=row.test_mode, enabled=row.enabled,
                   supported_tlds=sorted(registrars.driver_of(row).capabilities.tlds), created_at=row.created_at)


@strawberry.type(description="A TLD the seller may sell: active once a registrar supporting it is configured.")
class Tld(Node):
    name: str
    custom: bool
    status: TldStatus
    registrar_account_id: strawberry.ID | None = strawberry.field(
        description="The default registrar of the TLD: the first one configured that supports it.")

    @classmethod
    def from_model(cls, row: TldModel) -> Tld:
        return cls(id=_id("Tld", row.id), name=row.name, custom=row.custom, status=TldStatus(row.status),
                   registrar_account_id=_id("RegistrarAccount", row.registrar_account_id)
                   if row.registrar_account_id else None)


@strawberry.type(description="Prices of one TLD in one currency: element N is the price of N+1 years.")
class DomainPlanTld:
    tld_id: strawberry.ID
    currency: str
    register: list[Money]
    transfer: list[Money]
    renew: list[Money]

    @classmethod
    def from_model(cls, row: DomainPlanTldModel, locale: str = "en") -> DomainPlanTld:
        def money(values: list[int]) -> list[Money]:
            return [Money.of(MoneyValue(value, row.currency), locale) for value in values]
        return cls(tld_id=_id("Tld", row.tld_id), currency=row.currency, register=money(row.register),
                   transfer=money(row.transfer), renew=money(row.renew))


@strawberry.type
class DomainPlan(Node):
    name: str
    tlds: list[DomainPlanTld]

    @classmethod
    def from_model(cls, row: DomainPlanModel, prices: list[DomainPlanTldModel]) -> DomainPlan:
        return cls(id=_id("DomainPlan", row.id), name=row.name, tlds=[DomainPlanTld.from_model(p) for p in prices])


@strawberry.type(description="A customer's domain; expiresOn is the renewal date the registrar lists.")
class Domain(Node):
    name: str
    tld: str
    status: DomainStatus
    customer_id: strawberry.ID
    registrar_account_id: strawberry.ID
    registered_on: date | None
    expires_on: date | None
    locked: bool
    name_servers: list[str]
    subscription_id: strawberry.ID | None

    @classmethod
    def from_model(cls, row: DomainModel) -> Domain:
        return cls(id=_id("Domain", row.id), name=row.name, tld=row.tld, status=DomainStatus(row.status),
                   customer_id=_id("Customer", row.customer_id),
                   registrar_account_id=_id("RegistrarAccount", row.registrar_account_id),
                   registered_on=row.registered_on, expires_on=row.expires_on, locked=row.locked,
                   name_servers=list(row.name_servers),
                   subscription_id=_id("Subscription", row.subscription_id) if row.subscription_id else None)


@strawberry.type(description="A registrar operation under way: register, transfer or renew.")
class DomainOperation:
    id: strawberry.ID
    action: str
    name: str
    years: int
    status: str = strawberry.field(description="pending, running, done or failed.")
    last_error: str

    @classmethod
    def from_model(cls, row: DomainOperationModel) -> DomainOperation:
        return cls(id=_id("DomainOperation", row.id), action=row.action, name=row.name, years=row.years,
                   status=row.status, last_error=row.last_error)


@strawberry.type
class DomainCheckResult:
    name: str
    available: bool
    availability: DomainAvailability  # type: ignore[valid-type]

    @classmethod
    def of(cls, check: Check) -> DomainCheckResult:
        return cls(name=check.name, available=check.available, availability=check.verdict)


# ---- inputs and payloads -------------------------------------------------------------------------

@strawberry.input
class RegistrarAccountCreateInput:
    driver: str = strawberry.field(description="sandbox, …")
    name: str
    settings: JSON = strawberry.field(description="The driver's settings, e.g. {\"username\": \"…\", \"password\": \"…\"}.")
    test_mode: bool = True


@strawberry.input
class RegistrarAccountUpdateInput:
    id: strawberry.ID
    name: str | None = None
    settings: JSON | None = strawberry.field(default=None, description="Secrets left out keep their value.")
    test_mode: bool | None = None
    enabled: bool | None = None


@strawberry.input
class RegistrarAccountIdInput:
    id: strawberry.ID


@strawberry.type
class RegistrarAccountPayload:
    registrar_account: RegistrarAccount | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)


@strawberry.input
class TldCreateInput:
    name: str


@strawberry.input
class TldAssignRegistrarInput:
    id: strawberry.ID
    registrar_account_id: strawberry.ID


@strawberry.type
class TldPayload:
    tld: Tld | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)


@strawberry.input
class DomainPlanTldInput:
    tld_id: strawberry.ID
    currency: str
    register: list[int] = strawberry.field(description="Minor units; element N is the price of N+1 years (1-10).")
    transfer: list[int] = strawberry.field(default_factory=list)
    renew: list[int] = strawberry.field(default_factory=list)


@strawberry.input
class DomainPlanCreateInput:
    name: str
    tlds: list[DomainPlanTldInput]


@strawberry.input
class DomainPlanUpdateInput:
    id: strawberry.ID
    name: str | None = None
    tlds: list[DomainPlanTldInput] | None = None


@strawberry.type
class DomainPlanPayload:
    domain_plan: DomainPlan | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)


@strawberry.input
class TldFilterInput:
    status: TldStatus | None = None
    names: list[str] | None = None


@strawberry.input
class DomainRegisterInput:
    customer_id: strawberry.ID
    name: str
    years: int = 1


@strawberry.input
class DomainTransferInput:
    customer_id: strawberry.ID
    name: str
    auth_code: str
    years: int = 1


@strawberry.input
class DomainFilterInput:
    status: DomainStatus | None = None
    search: str | None = None


@strawberry.input
class DomainSortInput:
    field: DomainSortField = DomainSortField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class DomainRenewInput:
    id: strawberry.ID
    years: int = 1


@strawberry.input
class DomainSetNameServersInput:
    id: strawberry.ID
    name_servers: list[str]


@strawberry.input
class DomainLockInput:
    id: strawberry.ID
    locked: bool = True


@strawberry.type
class DomainPayload:
    domain: Domain | None = None
    operation: DomainOperation | None = None
    errors: list[DomainsError] = strawberry.field(default_factory=list)
