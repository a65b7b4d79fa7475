"""Manual methods (cheque, bank transfer, cash) and the bank account (direct debit) method: no
processor to call; staff mark manual payments paid, and direct debits are collected through the bank
batch files billing builds."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from comptoir.payments.drivers.base import Capabilities, DriverSettings, Kind
from comptoir.payments.drivers.unsupported import Unsupported

ManualMethod = Literal["cheque", "bank_transfer", "cash"]


class ManualSettings(DriverSettings):
    methods: list[ManualMethod] = Field(default_factory=lambda: ["bank_transfer"], min_length=1, max_length=3)
    instructions: str = Field(default="", max_length=2000)  # shown to the buyer: where to send the cheque, …


class ManualGateway(Unsupported):
    name: ClassVar[str] = "manual"
    capabilities: ClassVar[Capabilities] = Capabilities(Kind.MANUAL)
    settings_model: ClassVar[type[DriverSettings]] = ManualSettings


class BankAccountSettings(DriverSettings):
    creditor_name: str = Field(min_length=1, max_length=70)
    creditor_identifier: str = Field(min_length=5, max_length=35)  # SEPA creditor id, e.g. DE98ZZZ09999999999
    currencies: list[str] = Field(default_factory=lambda: ["EUR"], max_length=50)


class BankAccountGateway(Unsupported):
    name: ClassVar[str] = "bank_account"
    capabilities: ClassVar[Capabilities] = Capabilities(Kind.BANK_ACCOUNT, currencies=frozenset({"EUR"}))
    settings_model: ClassVar[type[DriverSettings]] = BankAccountSettings
