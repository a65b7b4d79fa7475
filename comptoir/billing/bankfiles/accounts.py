"""Validated accounts and identifiers: IBAN and BIC (schwifty), creditor identifier and Spanish CCC
(python-stdnum), German BLZ and account number; amounts in euro cents."""

from __future__ import annotations

import re
from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.es import ccc as spanish_ccc
from stdnum.eu import at_02

from comptoir.billing.bankfiles.model import BankFileError, BankFileErrorCode

E = BankFileErrorCode


def iban(value: str, *, field: str) -> IBAN:
    """A valid IBAN, national check digits included."""
    try:
        return IBAN(value, validate_bban=True)
    except SchwiftyException as error:
        raise BankFileError(E.INVALID_IBAN, f"Invalid IBAN {value!r}: {error}", field=field) from error


def bic(value: str, *, field: str) -> str:
    try:
        return str(BIC(value))
    except SchwiftyException as error:
        raise BankFileError(E.INVALID_BIC, f"Invalid BIC {value!r}: {error}", field=field) from error


def creditor_id(value: str, *, field: str) -> str:
    """A SEPA creditor identifier with valid MOD 97-10 check digits."""
    try:
        return str(at_02.validate(value))
    except stdnum_errors.ValidationError as error:
        raise BankFileError(E.INVALID_CREDITOR_ID, f"Invalid creditor identifier {value!r}: {error}",
                            field=field) from error


@dataclass(frozen=True)
class Ccc:
    """Spanish Código Cuenta Cliente: entidad, oficina, control digits (`**`: not given), cuenta."""

    entidad: str
    oficina: str
    dc: str
    cuenta: str


def ccc(*, iban_value: str, account_number: str, field: str) -> Ccc:
    """From a Spanish IBAN, or a 20-character CCC whose control digits are checked, never computed: `**`
    stands for digits the debtor did not give (NORMA19.md §4)."""
    if iban_value:
        parsed = iban(iban_value, field=f"{field}.iban")
        if parsed.country_code != "ES":
            raise BankFileError(E.INVALID_ACCOUNT, "Norma 19 debits Spanish accounts only.", field=f"{field}.iban")
        number = parsed.bban
    else:
        number = re.sub(r"[\s-]", "", account_number)
    if not re.fullmatch(r"\d{8}(\d{2}|\*\*)\d{10}", number):
        raise BankFileError(E.INVALID_ACCOUNT, f"A CCC is 20 digits (or ** as control digits): {number!r}",
                            field=f"{field}.accountNumber")
    if number[8:10] != "**" and not spanish_ccc.is_valid(number):
        raise BankFileError(E.INVALID_ACCOUNT, f"Wrong control digits in CCC {number}: ask the debtor.",
                            field=f"{field}.accountNumber")
    if number[10:] == "0" * 10:
        raise BankFileError(E.INVALID_ACCOUNT, "The account number is all zeros.", field=f"{field}.accountNumber")
    return Ccc(number[:4], number[4:8], number[8:10], number[10:])


def german_account(*, iban_value: str, bank_code: str, account_number: str, field: str) -> tuple[str, str]:
    """(BLZ, Kontonummer) from a German IBAN or given as such; the BLZ's first digit is not 0 or 9 and the
    account is not zero (DTAUS.md §7)."""
    if iban_value:
        parsed = iban(iban_value, field=f"{field}.iban")
        if parsed.country_code != "DE":
            raise BankFileError(E.INVALID_ACCOUNT, "DTAUS debits German accounts only.", field=f"{field}.iban")
        bank_code, account_number = parsed.bank_code, parsed.account_code
    if not re.fullmatch(r"[1-8]\d{7}", bank_code):
        raise BankFileError(E.INVALID_BANK_CODE, f"A BLZ is 8 digits, not starting with 0 or 9: {bank_code!r}",
                            field=f"{field}.bankCode")
    if not re.fullmatch(r"\d{1,10}", account_number) or int(account_number) == 0:
        raise BankFileError(E.INVALID_ACCOUNT, f"An account number is 1 to 10 digits, not zero: {account_number!r}",
                            field=f"{field}.accountNumber")
    return bank_code, account_number.rjust(10, "0")


def euro_amount(amount_minor: int, currency: str, *, field: str, maximum: int) -> int:
    """A positive amount in euro cents, at most `maximum`."""
    if currency != "EUR":
        raise BankFileError(E.UNSUPPORTED_CURRENCY, f"Direct debits are in EUR, not {currency}.",
                            field=f"{field}.currency")
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
        raise BankFileError(E.INVALID_AMOUNT, "An amount is a positive whole number of cents.",
                            field=f"{field}.amountMinor")
    if amount_minor > maximum:
        raise BankFileError(E.INVALID_AMOUNT, f"At most {maximum} cents per debit.", field=f"{field}.amountMinor")
    return amount_minor
