"""Norma 19 / Cuaderno 19 (AEB, March 2008): Spanish direct-debit file, 162-character records ending in
CR LF, uppercase code page 850 (../shared/formats/NORMA19.md).

The seller chooses which customer variables fill the optional fields (`Norma19Options.fields`): return
code and internal reference of 5680, concepts 2–16 (records 5681–5685, procedure 01), and the account
holder's name and address (5686).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from comptoir.billing.bankfiles import accounts
from comptoir.billing.bankfiles.model import BankFileError, BankFileErrorCode, Batch, Creditor, Debit
from comptoir.billing.bankfiles.text import alpha, blanks, check_record, numeric, restrict, strip_accents

E = BankFileErrorCode
RECORD = 162
MAX_AMOUNT = 9_999_999_999  # 10 digits of cents
ENCODING = "cp850"  # Ñ = 165
PUNCTUATION = set(".,-/()':+&%*")


class Procedure(enum.Enum):
    FIRST = "01"  # printed advice with up to 16 concepts
    SECOND = "02"  # a short concept (17) on the statement; only 5686 as optional record


class Norma19Field(enum.Enum):
    """Optional fields a customer variable may fill."""

    RETURN_CODE = "return_code"  # 5680 F1 (6)
    INTERNAL_REFERENCE = "internal_reference"  # 5680 F2 (10)
    CONCEPT_2 = "concept_2"
    CONCEPT_3 = "concept_3"
    CONCEPT_4 = "concept_4"
    CONCEPT_5 = "concept_5"
    CONCEPT_6 = "concept_6"
    CONCEPT_7 = "concept_7"
    CONCEPT_8 = "concept_8"
    CONCEPT_9 = "concept_9"
    CONCEPT_10 = "concept_10"
    CONCEPT_11 = "concept_11"
    CONCEPT_12 = "concept_12"
    CONCEPT_13 = "concept_13"
    CONCEPT_14 = "concept_14"
    CONCEPT_15 = "concept_15"
    CONCEPT_16 = "concept_16"
    HOLDER_NAME = "holder_name"  # 5686 C (40)
    HOLDER_ADDRESS = "holder_address"  # 5686 D (40)
    HOLDER_TOWN = "holder_town"  # 5686 E1 (35)
    HOLDER_POSTCODE = "holder_postcode"  # 5686 E2 (5, numeric)


CONCEPTS = [Norma19Field(f"concept_{n}") for n in range(2, 17)]
HOLDER = (Norma19Field.HOLDER_NAME, Norma19Field.HOLDER_ADDRESS, Norma19Field.HOLDER_TOWN,
          Norma19Field.HOLDER_POSTCODE)


@dataclass(frozen=True)
class Norma19Options:
    """The seller's Norma 19 settings: procedure, and which customer variable fills which optional field."""

    procedure: Procedure = Procedure.FIRST
    fields: Mapping[Norma19Field, str] = field(default_factory=dict)


def text(value: str) -> str:
    """Uppercase, accents stripped except Ñ (Ç → C), anything outside A-Z 0-9 Ñ space and simple
    punctuation turned into a space."""
    upper = strip_accents(value.upper(), keep="Ñ")
    return restrict(upper, lambda c: c.isascii() and c.isalnum() or c == "Ñ" or c in PUNCTUATION)


def render(batches: Sequence[Batch], *, options: Norma19Options = Norma19Options(),
           presenter: Creditor | None = None) -> bytes:
    """The file: one 5380…5880 block per batch (ordenante), under the presenter (default: the first
    batch's creditor), in code page 850 with CR LF after every record."""
    return "".join(record + "\r\n" for record in records(batches, options=options, presenter=presenter)
                   ).encode(ENCODING)


def records(batches: Sequence[Batch], *, options: Norma19Options = Norma19Options(),
            presenter: Creditor | None = None) -> list[str]:
    if not batches or any(not batch.debits for batch in batches):
        raise BankFileError(E.EMPTY_BATCH, "A Norma 19 file needs at least one debit per ordenante.")
    _check_options(options)
    presenter = presenter or batches[0].creditor
    created = batches[0].created_at.date()
    bank = _creditor_ccc(presenter, "presenter")
    out = [_presenter_header(presenter, created, bank)]
    total = debits = 0
    for number, batch in enumerate(batches):
        block = _block(batch, options, field=f"batches[{number}]")
        out += block
        total += batch.total_minor()
        debits += len(batch.debits)
    out.append(check_record(
        "5980" + alpha(_party_code(presenter, "presenter"), 12) + blanks(12) + blanks(40)
        + numeric(len(batches), 4, field="ordenantes") + blanks(16) + numeric(total, 10, field="total")
        + blanks(6) + numeric(debits, 10, field="debits") + numeric(len(out) + 1, 10, field="records")
        + blanks(20) + blanks(18), RECORD))
    return out


def _check_options(options: Norma19Options) -> None:
    if options.procedure is Procedure.SECOND and any(f in options.fields for f in CONCEPTS):
        raise BankFileError(E.NOT_ALLOWED, "Procedure 02 allows no concept records (5681–5685).",
                            field="options.fields")


def _party_code(creditor: Creditor, field: str) -> str:
    """NIF (9) + sufijo (3), the sufijo zero-filled."""
    nif, suffix = creditor.nif.strip().upper(), creditor.nif_suffix.strip()
    if not re.fullmatch(r"[A-Z0-9]{9}", nif):
        raise BankFileError(E.REQUIRED, "Norma 19 needs the creditor's 9-character NIF.", field=f"{field}.nif")
    if not re.fullmatch(r"\d{1,3}", suffix):
        raise BankFileError(E.INVALID_IDENTIFIER, "The NIF suffix is 000 to 999.", field=f"{field}.nifSuffix")
    return nif + suffix.rjust(3, "0")


def _creditor_ccc(creditor: Creditor, field: str) -> accounts.Ccc:
    return accounts.ccc(iban_value=creditor.iban, account_number=creditor.account_number, field=field)


def _ddmmaa(day: date) -> str:
    return day.strftime("%d%m%y")


def _presenter_header(presenter: Creditor, created: date, bank: accounts.Ccc) -> str:
    return check_record(
        "5180" + alpha(_party_code(presenter, "presenter"), 12) + _ddmmaa(created) + blanks(6)
        + alpha(text(presenter.name), 40) + blanks(20) + bank.entidad + bank.oficina + blanks(12)
        + blanks(40) + blanks(14), RECORD)


def _block(batch: Batch, options: Norma19Options, *, field: str) -> list[str]:
    code = _party_code(batch.creditor, f"{field}.creditor")
    account = _creditor_ccc(batch.creditor, f"{field}.creditor")
    created = batch.created_at.date()
    if batch.collection_date < created:
        raise BankFileError(E.INVALID_DATE, "The debit date is before the file's date.", field=f"{field}.collectionDate")
    out = [check_record(
        "5380" + alpha(code, 12) + _ddmmaa(created) + _ddmmaa(batch.collection_date)
        + alpha(text(batch.creditor.name), 40) + account.entidad + account.oficina + account.dc + account.cuenta
        + blanks(8) + options.procedure.value + blanks(10) + blanks(40) + blanks(14), RECORD)]
    prepared = [_prepared(debit, f"{field}.debits[{n}]") for n, debit in enumerate(batch.debits)]
    prepared.sort(key=lambda p: (p[1].entidad + p[1].oficina, p[2]))
    for debit, ccc, reference, debit_field in prepared:
        out += _individual(code, debit, ccc, reference, options, field=debit_field)
    total = batch.total_minor()
    out.append(check_record(
        "5880" + alpha(code, 12) + blanks(12) + blanks(40) + blanks(20) + numeric(total, 10, field=f"{field}.total")
        + blanks(6) + numeric(len(batch.debits), 10, field=f"{field}.debits")
        + numeric(len(out) + 1, 10, field=f"{field}.records") + blanks(20) + blanks(18), RECORD))
    return out


def _prepared(debit: Debit, field: str) -> tuple[Debit, accounts.Ccc, str, str]:
    accounts.euro_amount(debit.amount_minor, debit.currency, field=field, maximum=MAX_AMOUNT)
    ccc = accounts.ccc(iban_value=debit.iban, account_number=debit.account_number, field=field)
    reference = text(debit.debtor_reference)
    if not reference.strip("0 "):
        raise BankFileError(E.REQUIRED, "The debtor reference (código de referencia) is neither blank nor zeros.",
                            field=f"{field}.debtorReference")
    if len(reference) > 12:
        raise BankFileError(E.TEXT_TOO_LONG, "The debtor reference has at most 12 characters.",
                            field=f"{field}.debtorReference")
    if not text(debit.debtor_name):
        raise BankFileError(E.REQUIRED, "The debtor's name is required.", field=f"{field}.debtorName")
    return debit, ccc, reference, field


def _variable(debit: Debit, options: Norma19Options, which: Norma19Field) -> str:
    name = options.fields.get(which)
    return text(debit.variables.get(name, "")) if name else ""


def _individual(code: str, debit: Debit, ccc: accounts.Ccc, reference: str, options: Norma19Options, *,
                field: str) -> list[str]:
    key = alpha(code, 12) + alpha(reference, 12)
    concept = text(debit.remittance)
    if options.procedure is Procedure.SECOND:
        if not concept:
            raise BankFileError(E.REQUIRED, "Procedure 02 needs a short concept.", field=f"{field}.remittance")
        concept_zone = alpha(concept, 17) + blanks(23)
    else:
        concept_zone = alpha(concept, 40)
    out = [check_record(
        "5680" + key + alpha(text(debit.debtor_name), 40) + ccc.entidad + ccc.oficina + ccc.dc + ccc.cuenta
        + numeric(debit.amount_minor, 10, field=f"{field}.amountMinor")
        + alpha(_variable(debit, options, Norma19Field.RETURN_CODE), 6)
        + alpha(_variable(debit, options, Norma19Field.INTERNAL_REFERENCE), 10) + concept_zone + blanks(8), RECORD)]
    concepts = [_variable(debit, options, which) for which in CONCEPTS]
    for number in range(5):  # 5681..5685, each three concepts, only those needed
        three = concepts[number * 3:number * 3 + 3]
        if any(three):
            out.append(check_record(f"568{number + 1}" + key + "".join(alpha(c, 40) for c in three) + blanks(14),
                                    RECORD))
    holder = [_variable(debit, options, which) for which in HOLDER]
    if any(holder):
        postcode = holder[3].replace(" ", "")
        out.append(check_record(
            "5686" + key + alpha(holder[0], 40) + alpha(holder[1], 40) + alpha(holder[2], 35)
            + numeric(postcode or "0", 5, field=f"{field}.variables.postcode") + blanks(14), RECORD))
    return out
