"""DTAUS0: the A, C and E records' fields at the positions of DTAUS.md §3–6, extension blocks, control
sums, the DIN 66003 character set, and refused input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from comptoir.billing.bankfiles import dtaus
from comptoir.billing.bankfiles.dtaus import DtausOptions, TextKey
from comptoir.billing.bankfiles.model import BankFileErrorCode as E
from comptoir.billing.bankfiles.model import Creditor, Debit
from tests.billing.bankfiles.examples import DTAUS_BATCH, DTAUS_EXPECTED_BLOCKS
from tests.billing.bankfiles.support import raises, zone


def records(*debits: Debit, **options) -> list[str]:  # type: ignore[no-untyped-def]
    return dtaus.records(replace(DTAUS_BATCH, debits=debits or DTAUS_BATCH.debits), options=DtausOptions(**options))


def with_lines(count: int) -> Debit:
    return replace(DTAUS_BATCH.debits[0], remittance="\n".join(f"LINE {n}" for n in range(1, count + 1)))


def test_the_worked_example_of_the_spec_comes_out_byte_for_byte() -> None:
    data = dtaus.render(DTAUS_BATCH)
    assert data == "".join(DTAUS_EXPECTED_BLOCKS).encode("ascii")
    assert len(data) == 768 and b"\r" not in data and b"\n" not in data


def test_header_record_a() -> None:
    record = records()[0]
    assert len(record) == 128
    assert (zone(record, 1, 4), zone(record, 5, 1), zone(record, 6, 2)) == ("0128", "A", "LK")
    assert (zone(record, 8, 8), zone(record, 16, 8)) == ("37040044", "00000000")
    assert zone(record, 24, 27) == "COMPTOIR HOSTING GMBH".ljust(27)
    assert zone(record, 51, 6) == "261126"  # TTMMJJ
    assert zone(record, 57, 4) == " " * 4
    assert (zone(record, 61, 10), zone(record, 71, 10)) == ("0532013000", "0000000000")
    assert zone(record, 81, 15) == " " * 15
    assert zone(record, 96, 8) == "01122026"  # TTMMJJJJ
    assert (zone(record, 104, 24), zone(record, 128, 1)) == (" " * 24, "1")


def test_without_execution_date_a11b_is_blank() -> None:
    assert zone(records(with_execution_date=False)[0], 96, 8) == " " * 8


def test_payment_record_c_constant_part() -> None:
    debit = replace(DTAUS_BATCH.debits[0], debtor_reference="4711")
    record = records(debit)[1]
    assert len(record) == 256
    assert (zone(record, 1, 4), zone(record, 5, 1)) == ("0187", "C")
    assert zone(record, 6, 8) == "00000000"  # C3 first bank involved
    assert (zone(record, 14, 8), zone(record, 22, 10)) == ("12030000", "0000202051")  # debtor's bank, account
    assert zone(record, 32, 13) == "0000000047110"  # 0 + 11-digit customer number + 0
    assert (zone(record, 45, 2), zone(record, 47, 3)) == ("05", "000")
    assert (zone(record, 50, 1), zone(record, 51, 11)) == (" ", "0" * 11)
    assert (zone(record, 62, 8), zone(record, 70, 10)) == ("37040044", "0532013000")  # creditor's bank, account
    assert zone(record, 80, 11) == "00000001999"
    assert zone(record, 91, 3) == "   "
    assert zone(record, 94, 27) == "MUELLER JUERGEN".ljust(27)
    assert zone(record, 121, 8) == " " * 8
    # block 2
    assert zone(record, 129, 27) == "COMPTOIR HOSTING GMBH".ljust(27)
    assert zone(record, 156, 27) == "RECHNUNG 2026-0042".ljust(27)
    assert (zone(record, 183, 1), zone(record, 184, 2), zone(record, 186, 2)) == ("1", "  ", "00")
    assert zone(record, 188, 69) == " " * 69


def test_debit_order_text_key() -> None:
    assert zone(records(text_key=TextKey.DEBIT_ORDER)[1], 45, 5) == "04000"


@pytest.mark.parametrize(("lines", "blocks"), [(1, 2), (2, 2), (3, 2), (4, 3), (7, 3), (8, 4), (12, 5), (14, 5)])
def test_extension_parts_take_the_blocks_the_spec_says(lines: int, blocks: int) -> None:
    # k = lines - 1 extensions: 2 blocks if k <= 2, else 2 + ceil((k - 2) / 4)
    record = records(with_lines(lines))[1]
    k = lines - 1
    assert len(record) == 128 * blocks
    assert zone(record, 1, 4) == f"{187 + 29 * k:04d}"
    assert zone(record, 186, 2) == f"{k:02d}"
    slots = [188, 217] + [257 + 128 * (b // 4) + 29 * (b % 4) for b in range(12)]
    for number in range(k):
        assert zone(record, slots[number], 2) == "02"
        assert zone(record, slots[number] + 2, 27) == f"LINE {number + 2}".ljust(27)
    assert zone(record, 246, 11) == " " * 11  # C23, filler of block 2
    for block in range(2, blocks):
        assert record[128 * block + 116:128 * (block + 1)] == " " * 12 or block == 5


def test_more_than_thirteen_remittance_extensions_are_refused() -> None:
    with raises(E.TEXT_TOO_LONG, "debits[0].remittance"):
        records(with_lines(15))


def test_long_remittance_lines_wrap_at_words_into_extensions() -> None:
    record = records(replace(DTAUS_BATCH.debits[0], remittance="Rechnung 2026-0042 Hosting Dezember und Januar"))[1]
    assert zone(record, 156, 27) == "RECHNUNG 2026-0042 HOSTING".ljust(27)
    assert zone(record, 188, 29) == "02" + "DEZEMBER UND JANUAR".ljust(27)


def test_control_record_e_sums_accounts_bank_codes_and_amounts() -> None:
    big = [Debit(f"D{n}", 99_999_999_999, bank_code="80000000", account_number="9999999999") for n in range(3)]
    record = records(*big)[-1]
    assert len(record) == 128
    assert (zone(record, 1, 4), zone(record, 5, 1), zone(record, 6, 5)) == ("0128", "E", " " * 5)
    assert zone(record, 11, 7) == "0000003"
    assert zone(record, 18, 13) == "0" * 13
    assert zone(record, 31, 17) == f"{3 * 9999999999:017d}"
    assert zone(record, 48, 17) == f"{3 * 80000000:017d}"
    assert zone(record, 65, 13) == f"{3 * 99_999_999_999:013d}"
    assert zone(record, 78, 51) == " " * 51


def test_umlauts_are_din_66003_bytes_or_transliterated_and_other_characters_reduced() -> None:
    debit = replace(DTAUS_BATCH.debits[0], debtor_name="Jürgen Öß-Äpfel élan #1 Straßenbahnverwaltung")
    assert zone(records(debit)[1], 94, 27) == "J]RGEN \\~-[PFEL ELAN 1 STRA"
    assert zone(records(debit, transliterate_umlauts=True)[1], 94, 27) == "JUERGEN OESS-AEPFEL ELAN 1 "


def test_an_iban_gives_bank_code_and_account() -> None:
    debit = Debit("X", 100, iban="DE02120300000000202051")
    record = records(debit)[1]
    assert (zone(record, 14, 8), zone(record, 22, 10)) == ("12030000", "0000202051")


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"bank_code": "02030000"}, E.INVALID_BANK_CODE, "bankCode"),
    ({"bank_code": "92030000"}, E.INVALID_BANK_CODE, "bankCode"),
    ({"bank_code": "1203000"}, E.INVALID_BANK_CODE, "bankCode"),
    ({"account_number": "0"}, E.INVALID_ACCOUNT, "accountNumber"),
    ({"account_number": "12345678901"}, E.INVALID_ACCOUNT, "accountNumber"),
    ({"iban": "DE02120300000000202052"}, E.INVALID_IBAN, "iban"),
    ({"iban": "ES9121000418450200051332"}, E.INVALID_ACCOUNT, "iban"),
    ({"currency": "CHF"}, E.UNSUPPORTED_CURRENCY, "currency"),
    ({"amount_minor": -5}, E.INVALID_AMOUNT, "amountMinor"),
    ({"debtor_name": "!!!"}, E.REQUIRED, "debtorName"),
])
def test_bad_debits_are_refused_with_a_typed_error(changes, code, field) -> None:  # type: ignore[no-untyped-def]
    with raises(code, f"debits[0].{field}"):
        records(replace(DTAUS_BATCH.debits[0], **changes))


def test_execution_date_more_than_15_days_ahead_or_before_the_file_is_refused() -> None:
    for day in (date(2026, 12, 12), date(2026, 11, 25)):
        with raises(E.INVALID_DATE, "collectionDate"):
            dtaus.records(replace(DTAUS_BATCH, collection_date=day))
    dtaus.records(replace(DTAUS_BATCH, collection_date=date(2026, 12, 11)))


def test_bad_creditor_and_empty_batch_are_refused() -> None:
    with raises(E.INVALID_BANK_CODE, "creditor.bankCode"):
        dtaus.records(replace(DTAUS_BATCH, creditor=Creditor("X", bank_code="", account_number="1")))
    with raises(E.EMPTY_BATCH):
        dtaus.records(replace(DTAUS_BATCH, debits=()))
