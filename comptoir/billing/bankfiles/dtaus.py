"""DTAUS0 (ZKA DFÜ-Abkommen Anlage 3 V2.5, chapter 1.1): German direct-debit file of 128-byte blocks with
no separators: one A record, a C record per debit (2 to 6 blocks), one E record with control sums
(../shared/formats/DTAUS.md). Debit files only (`LK`).

Text is uppercase DIN 66003: Ä Ö Ü ß are the bytes `[ \\ ] ~` (as in the spec's worked example), or, with
`transliterate_umlauts`, AE OE UE SS as the spec recommends; other accents are stripped and anything else
outside the character set becomes a space. Names and texts are cut at 27 characters; remittance lines
beyond the first go into extension parts of type 02 (at most 13).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from comptoir.billing.bankfiles import accounts
from comptoir.billing.bankfiles.model import BankFileError, BankFileErrorCode, Batch, Debit
from comptoir.billing.bankfiles.text import alpha, blanks, check_record, numeric, restrict, strip_accents

E = BankFileErrorCode
BLOCK = 128
LINE = 27
MAX_EXTENSIONS = 15
MAX_REMITTANCE_EXTENSIONS = 13
MAX_AMOUNT = 99_999_999_999  # 11 digits of cents
PUNCTUATION = set(".,&-/+*$% ")
DIN_66003 = {"Ä": "[", "Ö": "\\", "Ü": "]", "ß": "~"}
TRANSLITERATED = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS"}
EXECUTION_WINDOW = timedelta(days=15)


class TextKey(enum.Enum):
    """Textschlüssel of a debit (C7a + C7b)."""

    AUTHORISATION = "05000"  # Einzugsermächtigungsverfahren (the usual one)
    DEBIT_ORDER = "04000"  # Abbuchungsauftragsverfahren


@dataclass(frozen=True)
class DtausOptions:
    text_key: TextKey = TextKey.AUTHORISATION
    transliterate_umlauts: bool = False
    with_execution_date: bool = True  # A11b from the batch's collection date (else blanks)


def text(value: str, *, transliterate_umlauts: bool = False) -> str:
    """DIN 66003 uppercase text (without the umlaut bytes when transliterating)."""
    mapping = TRANSLITERATED if transliterate_umlauts else DIN_66003
    upper = "".join(mapping.get(c, c) for c in _upper_keeping_sharp_s(value))
    plain = strip_accents(upper)
    allowed = set(mapping.values()) | PUNCTUATION
    return restrict(plain, lambda c: (c.isascii() and (c.isdigit() or "A" <= c <= "Z")) or c in allowed)


def _upper_keeping_sharp_s(value: str) -> str:
    # str.upper() turns ß into SS; DIN 66003 has a byte for it
    return "".join("ß" if c == "ß" else c.upper() for c in value)


def render(batch: Batch, *, options: DtausOptions = DtausOptions()) -> bytes:
    """The logical file DTAUS0: bytes with no line breaks, a multiple of 128."""
    return "".join(records(batch, options=options)).encode("ascii")


def records(batch: Batch, *, options: DtausOptions = DtausOptions()) -> list[str]:
    """The A record, the C records (each a string of 2–6 blocks), the E record."""
    if not batch.debits:
        raise BankFileError(E.EMPTY_BATCH, "A DTAUS file needs at least one debit.")
    creditor = batch.creditor
    blz, account = accounts.german_account(iban_value=creditor.iban, bank_code=creditor.bank_code,
                                           account_number=creditor.account_number, field="creditor")
    name = text(creditor.name, transliterate_umlauts=options.transliterate_umlauts)
    if not name:
        raise BankFileError(E.REQUIRED, "The creditor's name is required.", field="creditor.name")
    created = batch.created_at.date()
    out = [_header(blz, account, name, created, _execution_date(batch, options))]
    sums = [0, 0, 0]  # C5 accounts, C4 bank codes, C12 amounts
    for number, debit in enumerate(batch.debits):
        record, (their_blz, their_account) = _payment(debit, blz, account, name, options,
                                                      field=f"debits[{number}]")
        out.append(record)
        sums[0] += int(their_account)
        sums[1] += int(their_blz)
        sums[2] += debit.amount_minor
    out.append(check_record(
        "0128" + "E" + blanks(5) + numeric(len(batch.debits), 7, field="count") + "0" * 13
        + numeric(sums[0], 17, field="accounts") + numeric(sums[1], 17, field="bankCodes")
        + numeric(sums[2], 13, field="total") + blanks(51), BLOCK))
    return out


def _execution_date(batch: Batch, options: DtausOptions) -> date | None:
    if not options.with_execution_date:
        return None
    created = batch.created_at.date()
    if not created <= batch.collection_date <= created + EXECUTION_WINDOW:
        raise BankFileError(E.INVALID_DATE, "The execution date is 0 to 15 days after the file's date.",
                            field="collectionDate")
    return batch.collection_date


def _header(blz: str, account: str, name: str, created: date, execution: date | None) -> str:
    return check_record(
        "0128" + "A" + "LK" + blz + "0" * 8 + alpha(name, LINE) + created.strftime("%d%m%y") + blanks(4)
        + account + "0" * 10 + blanks(15) + (execution.strftime("%d%m%Y") if execution else blanks(8))
        + blanks(24) + "1", BLOCK)


def _payment(debit: Debit, blz: str, account: str, creditor_name: str, options: DtausOptions, *,
             field: str) -> tuple[str, tuple[str, str]]:
    accounts.euro_amount(debit.amount_minor, debit.currency, field=field, maximum=MAX_AMOUNT)
    their_blz, their_account = accounts.german_account(iban_value=debit.iban, bank_code=debit.bank_code,
                                                       account_number=debit.account_number, field=field)
    name = text(debit.debtor_name, transliterate_umlauts=options.transliterate_umlauts)
    if not name:
        raise BankFileError(E.REQUIRED, "The debtor's name is required.", field=f"{field}.debtorName")
    lines = _remittance_lines(debit.remittance, options, field=f"{field}.remittance")
    extensions = [("02", line) for line in lines[1:]]
    customer = debit.debtor_reference if debit.debtor_reference.isdigit() and len(debit.debtor_reference) <= 11 else ""
    constant = (
        f"{187 + 29 * len(extensions):04d}" + "C" + "0" * 8 + their_blz + their_account
        + "0" + customer.rjust(11, "0") + "0" + options.text_key.value + blanks(1) + "0" * 11 + blz + account
        + numeric(debit.amount_minor, 11, field=f"{field}.amountMinor") + blanks(3) + alpha(name, LINE) + blanks(8)
        + alpha(creditor_name, LINE) + alpha(lines[0] if lines else "", LINE) + "1" + blanks(2)
        + f"{len(extensions):02d}")
    parts = [kind + alpha(value, LINE) for kind, value in extensions]
    block2 = constant[BLOCK:] + "".join(parts[:2]).ljust(2 * 29) + blanks(11)
    blocks = [constant[:BLOCK], block2]
    for start in range(2, len(parts), 4):
        blocks.append("".join(parts[start:start + 4]).ljust(BLOCK))
    return "".join(check_record(block, BLOCK) for block in blocks), (their_blz, their_account)


def _remittance_lines(remittance: str, options: DtausOptions, *, field: str) -> list[str]:
    """Lines of at most 27 characters: each "\\n"-separated line, longer ones wrapped at spaces."""
    lines: list[str] = []
    for raw in remittance.split("\n"):
        words = text(raw, transliterate_umlauts=options.transliterate_umlauts).split()
        current = ""
        for word in words:
            while len(word) > LINE:
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:LINE])
                word = word[LINE:]
            if current and len(current) + 1 + len(word) > LINE:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        if current:
            lines.append(current)
    if len(lines) > 1 + MAX_REMITTANCE_EXTENSIONS:
        raise BankFileError(E.TEXT_TOO_LONG, f"At most {1 + MAX_REMITTANCE_EXTENSIONS} remittance lines of "
                            f"{LINE} characters.", field=field)
    return lines
