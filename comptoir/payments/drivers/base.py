"""The protocol every payment gateway driver follows, and what drivers exchange with the services.

Drivers talk to the outside world (a processor's API) and nothing else: no database, no sessions. A
driver receives its configuration's settings already validated and unsealed. Card numbers and CVVs
pass through `tokenise` only and are never returned, stored or logged.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, SecretStr


class Kind(enum.Enum):
    INTERNAL = "internal"  # card data entered here, tokenised by the gateway
    EXTERNAL = "external"  # the buyer is redirected to the processor, which calls back
    MANUAL = "manual"  # cheque, bank transfer, cash: staff mark paid
    BANK_ACCOUNT = "bank_account"  # direct debit, collected through bank batch files


@dataclass(frozen=True)
class Capabilities:
    kind: Kind
    currencies: frozenset[str] = frozenset()  # empty: any currency
    authorise: bool = False
    capture: bool = False
    charge: bool = False
    refund: bool = False
    void: bool = False
    tokenise: bool = False
    virtual_terminal: bool = False
    asynchronous_status: bool = False

    def accepts(self, currency: str) -> bool:
        return not self.currencies or currency in self.currencies


class DriverSettings(BaseModel):
    """Base of each driver's typed settings; fields typed `SecretStr` are stored sealed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return tuple(name for name, info in cls.model_fields.items() if info.annotation is SecretStr)


class Outcome(enum.Enum):
    AUTHORISED = "authorised"
    CAPTURED = "captured"
    PROCESSING = "processing"  # accepted, settles later: ask again
    REQUIRES_ACTION = "requires_action"
    DECLINED = "declined"
    ERROR = "error"  # the gateway answered with an error: nothing happened
    NOT_FOUND = "not_found"  # (query) the gateway has no such charge


@dataclass(frozen=True)
class GatewayResult:
    outcome: Outcome
    reference: str = ""
    amount: int = 0
    code: str = ""  # decline or error code: insufficient_funds, stolen_card, processing_error, …
    hard: bool = False  # a hard decline must never be retried
    action_url: str = ""


class GatewayTimeout(Exception):
    """The gateway did not answer: whether the charge happened is unknown (ask, never charge again)."""


class GatewayRefused(Exception):
    """The gateway refused a request (bad card data, unsupported operation)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class CardInput:
    """What a person typed; lives only for the duration of the call. repr never shows the number."""

    number: str = field(repr=False)
    expiry_month: int
    expiry_year: int
    cvv: str = field(repr=False)
    holder_name: str = ""


@dataclass(frozen=True)
class TokenisedCard:
    token: str
    brand: str
    last4: str
    expiry_month: int
    expiry_year: int
    authenticated: bool


@dataclass(frozen=True)
class ChargeRequest:
    idempotency_key: str  # the processor deduplicates charges on it
    amount: int
    currency: str
    capture: bool  # False: authorise only
    token: str = ""
    customer_present: bool = True  # False: a merchant-initiated charge (renewal) on a saved card
    description: str = ""


@dataclass(frozen=True)
class Redirect:
    reference: str
    url: str


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    type: str
    reference: str
    outcome: Outcome
    amount: int = 0
    code: str = ""


class WebhookRejected(Exception):
    """A callback that cannot be verified (signature, timestamp, body): refused, nothing changes."""


class PaymentGateway(Protocol):
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    settings_model: ClassVar[type[DriverSettings]]

    def tokenise(self, settings: Any, card: CardInput, *, customer_present: bool) -> TokenisedCard: ...

    def charge(self, settings: Any, request: ChargeRequest) -> GatewayResult: ...

    def query(self, settings: Any, idempotency_key: str) -> GatewayResult: ...

    def complete_authentication(self, settings: Any, reference: str) -> GatewayResult: ...

    def capture(self, settings: Any, reference: str, amount: int) -> GatewayResult: ...

    def refund(self, settings: Any, reference: str, amount: int) -> GatewayResult: ...

    def void(self, settings: Any, reference: str) -> GatewayResult: ...

    def start_redirect(self, settings: Any, *, config_id: uuid.UUID, payment_id: uuid.UUID, amount: int,
                       currency: str, return_url: str, cancel_url: str) -> Redirect: ...

    def verify_webhook(self, settings: Any, headers: Mapping[str, str], body: bytes,
                       now: datetime) -> WebhookEvent: ...
