"""What a bank batch file is made of: a creditor, debits, a batch; and the typed errors of bad input."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from comptoir.errors import DomainError


class BankFileErrorCode(enum.Enum):
    """Why a batch cannot become a file. (A plain enum until an API reports them: billing's batch mutations
    will make it an ErrorCode with its GraphQL enum.)"""

    EMPTY_BATCH = "empty_batch"
    INVALID_IBAN = "invalid_iban"
    INVALID_BIC = "invalid_bic"
    INVALID_ACCOUNT = "invalid_account"
    INVALID_BANK_CODE = "invalid_bank_code"
    INVALID_CREDITOR_ID = "invalid_creditor_id"
    INVALID_IDENTIFIER = "invalid_identifier"
    UNSUPPORTED_CURRENCY = "unsupported_currency"
    INVALID_AMOUNT = "invalid_amount"
    TOTAL_TOO_LARGE = "total_too_large"
    INVALID_DATE = "invalid_date"
    TEXT_TOO_LONG = "text_too_long"
    REQUIRED = "required"
    NOT_ALLOWED = "not_allowed"
    SCHEMA_INVALID = "schema_invalid"


class BankFileError(DomainError):
    """Bad input for a bank file; `field` names the place (`debits[1].iban`)."""

    def __init__(self, code: BankFileErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)


class SequenceType(enum.Enum):
    """SEPA sequence type of a debit under its mandate."""

    FIRST = "FRST"
    RECURRING = "RCUR"
    ONE_OFF = "OOFF"
    FINAL = "FNAL"


@dataclass(frozen=True)
class Creditor:
    """The seller collecting. Each format reads what it needs: SEPA the IBAN, BIC and creditor identifier;
    Norma 19 the NIF, its suffix and the (Spanish) IBAN; DTAUS the BLZ and account (or a German IBAN)."""

    name: str
    iban: str = ""
    bic: str = ""
    creditor_id: str = ""  # SEPA CI (AT-02), e.g. ES97000B12345678
    nif: str = ""  # Norma 19: NIF (9) …
    nif_suffix: str = "000"  # … and sufijo (3)
    bank_code: str = ""  # DTAUS: BLZ (8 digits), when no IBAN
    account_number: str = ""  # DTAUS: Kontonummer (≤ 10 digits), when no IBAN


@dataclass(frozen=True)
class Debit:
    """One collection from one debtor. The account is an IBAN (with an optional BIC) or, for the legacy
    formats, a national account: `bank_code` + `account_number` (DTAUS), or a 20-digit CCC in
    `account_number` (Norma 19; `**` in place of control digits the debtor did not give)."""

    debtor_name: str
    amount_minor: int
    currency: str = "EUR"
    iban: str = ""
    bic: str = ""
    bank_code: str = ""
    account_number: str = ""
    mandate_id: str = ""
    mandate_date: date | None = None
    sequence_type: SequenceType = SequenceType.RECURRING
    reference: str = ""  # the creditor's reference of this debit (invoice number): SEPA EndToEndId
    debtor_reference: str = ""  # stable debtor id (customer number): Norma 19 código de referencia, DTAUS C6
    remittance: str = ""  # text for the debtor's statement; lines split by "\n" where a format has lines
    variables: Mapping[str, str] = field(default_factory=dict)  # the customer's variables (Norma 19 options)


@dataclass(frozen=True)
class Batch:
    """Debits of one creditor to collect on one date, created at `created_at` (the file's date)."""

    creditor: Creditor
    debits: tuple[Debit, ...]
    collection_date: date
    created_at: datetime
    message_id: str = ""  # SEPA MsgId
    payment_info_prefix: str = ""  # SEPA PmtInfId = <prefix>-<SeqTp>; default: message_id

    def total_minor(self) -> int:
        return sum(debit.amount_minor for debit in self.debits)
