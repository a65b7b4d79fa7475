"""Sandbox internal card gateway: behaves like a card processor, in memory, with test card numbers.

The card number decides the behaviour (docs/payments.md lists them); the token carries the behaviour,
never the number. Charges are deduplicated on the idempotency key like a real processor, so a retried
request returns the first answer, and `query` tells what happened to a charge whose answer was lost.
The processor's memory lives in this process (a sandbox: a restart forgets charges and balances).
"""

from __future__ import annotations

import enum
import secrets
import threading
from dataclasses import dataclass, replace
from typing import ClassVar

from pydantic import Field, SecretStr

from comptoir.payments.drivers.base import (
    Capabilities,
    CardInput,
    ChargeRequest,
    DriverSettings,
    GatewayRefused,
    GatewayResult,
    GatewayTimeout,
    Kind,
    Outcome,
    TokenisedCard,
)
from comptoir.payments.drivers.unsupported import Unsupported
from comptoir.payments.rules import card_brand, luhn_valid

AUTHENTICATE_URL = "https://sandbox-gateway.test/authenticate/"
BALANCE = 5000  # what the limited-balance card can still pay, in minor units
SETTLES_AFTER_QUERIES = 2


class Behaviour(enum.Enum):
    APPROVE = "ok"
    INSUFFICIENT_FUNDS = "nsf"
    STOLEN = "stolen"
    ERROR = "err"
    AUTHENTICATE = "auth"  # the bank wants authentication on every charge, renewals included
    BALANCE = "bal"
    SETTLES_LATER = "async"
    NEVER_SETTLES = "hang"
    TIMEOUT = "timeout"


TEST_CARDS: dict[str, Behaviour] = {
    "4242424242424242": Behaviour.APPROVE,
    "5555555555554444": Behaviour.APPROVE,
    "4000000000009995": Behaviour.INSUFFICIENT_FUNDS,
    "4000000000009979": Behaviour.STOLEN,
    "4000000000000119": Behaviour.ERROR,
    "4000002760003184": Behaviour.AUTHENTICATE,
    "4000000000005126": Behaviour.BALANCE,
    "4000000000000077": Behaviour.SETTLES_LATER,
    "4000000000000085": Behaviour.NEVER_SETTLES,
    "4000000000000101": Behaviour.TIMEOUT,
}


class SandboxCardSettings(DriverSettings):
    merchant_id: str = Field(min_length=1, max_length=64)
    api_key: SecretStr
    currencies: list[str] = Field(default_factory=list, max_length=50)


@dataclass(frozen=True)
class _Charge:
    reference: str
    token: str
    amount: int
    result: GatewayResult
    queries: int = 0


class _Processor:
    """What the processor remembers: charges by idempotency key, balances by token."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.charges: dict[str, _Charge] = {}
        self.by_reference: dict[str, str] = {}
        self.spent: dict[str, int] = {}

    def reset(self) -> None:
        with self.lock:
            self.charges.clear()
            self.by_reference.clear()
            self.spent.clear()


PROCESSOR = _Processor()


def _behaviour(token: str) -> Behaviour:
    try:
        return Behaviour(token.split("_")[1])
    except (IndexError, ValueError) as error:
        raise GatewayRefused("invalid_token", "not a token of this gateway") from error


class SandboxCardGateway(Unsupported):
    name: ClassVar[str] = "sandbox_card"
    capabilities: ClassVar[Capabilities] = Capabilities(
        Kind.INTERNAL, authorise=True, capture=True, charge=True, refund=True, void=True, tokenise=True,
        virtual_terminal=True, asynchronous_status=True)
    settings_model: ClassVar[type[DriverSettings]] = SandboxCardSettings

    def tokenise(self, settings: SandboxCardSettings, card: CardInput, *, customer_present: bool) -> TokenisedCard:
        number = "".join(ch for ch in card.number if ch.isdigit())
        if not luhn_valid(number):
            raise GatewayRefused("invalid_number", "the card number is not valid")
        if not (card.cvv.isdigit() and 3 <= len(card.cvv) <= 4):
            raise GatewayRefused("invalid_cvv", "the security code is not valid")
        behaviour = TEST_CARDS.get(number, Behaviour.APPROVE)
        # The customer is present when a card is saved: the sandbox bank authenticates them there and then.
        return TokenisedCard(token=f"tok_{behaviour.value}_{secrets.token_hex(12)}", brand=card_brand(number),
                             last4=number[-4:], expiry_month=card.expiry_month, expiry_year=card.expiry_year,
                             authenticated=customer_present)

    def charge(self, settings: SandboxCardSettings, request: ChargeRequest) -> GatewayResult:
        behaviour = _behaviour(request.token)
        with PROCESSOR.lock:
            known = PROCESSOR.charges.get(request.idempotency_key)
            if known is None:
                known = self._new_charge(behaviour, request)
                PROCESSOR.charges[request.idempotency_key] = known
                PROCESSOR.by_reference[known.reference] = request.idempotency_key
        if behaviour is Behaviour.TIMEOUT:
            raise GatewayTimeout("the sandbox gateway did not answer in time")
        return known.result

    def _new_charge(self, behaviour: Behaviour, request: ChargeRequest) -> _Charge:
        reference = f"ch_{secrets.token_hex(10)}"
        done = Outcome.CAPTURED if request.capture else Outcome.AUTHORISED
        result = GatewayResult(done, reference, request.amount)
        if behaviour is Behaviour.INSUFFICIENT_FUNDS:
            result = GatewayResult(Outcome.DECLINED, reference, code="insufficient_funds")
        elif behaviour is Behaviour.STOLEN:
            result = GatewayResult(Outcome.DECLINED, reference, code="stolen_card", hard=True)
        elif behaviour is Behaviour.ERROR:
            result = GatewayResult(Outcome.ERROR, reference, code="processing_error")
        elif behaviour is Behaviour.AUTHENTICATE:
            result = GatewayResult(Outcome.REQUIRES_ACTION, reference, request.amount, code="authentication_required",
                                   action_url=AUTHENTICATE_URL + reference)
        elif behaviour in (Behaviour.SETTLES_LATER, Behaviour.NEVER_SETTLES):
            result = GatewayResult(Outcome.PROCESSING, reference, request.amount)
        elif behaviour is Behaviour.BALANCE:
            spent = PROCESSOR.spent.get(request.token, 0)
            if spent + request.amount > BALANCE:
                result = GatewayResult(Outcome.DECLINED, reference, code="insufficient_funds")
            else:
                PROCESSOR.spent[request.token] = spent + request.amount
        return _Charge(reference, request.token, request.amount, result)

    def query(self, settings: SandboxCardSettings, idempotency_key: str) -> GatewayResult:
        with PROCESSOR.lock:
            known = PROCESSOR.charges.get(idempotency_key)
            if known is None:
                return GatewayResult(Outcome.NOT_FOUND)
            known = replace(known, queries=known.queries + 1)
            behaviour = _behaviour(known.token)
            if (behaviour is Behaviour.SETTLES_LATER and known.result.outcome is Outcome.PROCESSING
                    and known.queries >= SETTLES_AFTER_QUERIES):
                known = replace(known, result=replace(known.result, outcome=Outcome.CAPTURED))
            PROCESSOR.charges[idempotency_key] = known
            return known.result

    def complete_authentication(self, settings: SandboxCardSettings, reference: str) -> GatewayResult:
        return self._update(reference, Outcome.REQUIRES_ACTION, Outcome.CAPTURED)

    def capture(self, settings: SandboxCardSettings, reference: str, amount: int) -> GatewayResult:
        result = self._update(reference, Outcome.AUTHORISED, Outcome.CAPTURED)
        return replace(result, amount=amount) if result.outcome is Outcome.CAPTURED else result

    def void(self, settings: SandboxCardSettings, reference: str) -> GatewayResult:
        return self._update(reference, Outcome.AUTHORISED, Outcome.DECLINED, code="voided")

    def refund(self, settings: SandboxCardSettings, reference: str, amount: int) -> GatewayResult:
        with PROCESSOR.lock:
            key = PROCESSOR.by_reference.get(reference)
            if key is None or PROCESSOR.charges[key].result.outcome is not Outcome.CAPTURED:
                raise GatewayRefused("not_captured", "nothing captured to refund")
        return GatewayResult(Outcome.CAPTURED, f"re_{secrets.token_hex(10)}", amount)

    def _update(self, reference: str, expected: Outcome, target: Outcome, *, code: str = "") -> GatewayResult:
        with PROCESSOR.lock:
            key = PROCESSOR.by_reference.get(reference)
            if key is None:
                raise GatewayRefused("unknown_reference", "no such charge")
            known = PROCESSOR.charges[key]
            if known.result.outcome is expected:
                known = replace(known, result=replace(known.result, outcome=target, code=code, action_url=""))
                PROCESSOR.charges[key] = known
            elif known.result.outcome is not target:
                raise GatewayRefused("invalid_state", f"the charge is {known.result.outcome.value}")
            return known.result
