"""Norma 19: every record type's zones at the positions of NORMA19.md §3, the totals, sorting, the
character set, the seller's optional fields from customer variables, and refused input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from comptoir.billing.bankfiles import norma19
from comptoir.billing.bankfiles.model import BankFileErrorCode as E
from comptoir.billing.bankfiles.model import Creditor, Debit
from comptoir.billing.bankfiles.norma19 import Norma19Field as F
from comptoir.billing.bankfiles.norma19 import Norma19Options, Procedure
from tests.billing.bankfiles.examples import (
    NORMA19_BATCH,
    NORMA19_CREDITOR,
    NORMA19_EXPECTED,
    NORMA19_OPTIONS,
)
from tests.billing.bankfiles.support import raises, zone

ALL_OPTIONAL = Norma19Options(fields={
    F.RETURN_CODE: "return_code", F.INTERNAL_REFERENCE: "internal_ref", F.CONCEPT_2: "c2", F.CONCEPT_5: "c5",
    F.CONCEPT_16: "c16", F.HOLDER_NAME: "holder", F.HOLDER_ADDRESS: "street", F.HOLDER_TOWN: "town",
    F.HOLDER_POSTCODE: "postcode"})
VARIABLES = {"return_code": "RC0001", "internal_ref": "INT-77", "c2": "segundo", "c5": "quinto",
             "c16": "decimosexto", "holder": "Ana Titular", "street": "Calle Mayor 1", "town": "Madrid",
             "postcode": "28013"}


def one_debit(**changes) -> list[str]:  # type: ignore[no-untyped-def]
    options = changes.pop("options", ALL_OPTIONAL)
    debit = replace(NORMA19_BATCH.debits[0], **changes)
    return norma19.records([replace(NORMA19_BATCH, debits=(debit,))], options=options)


def test_the_worked_example_of_the_spec_comes_out_byte_for_byte() -> None:
    data = norma19.render([NORMA19_BATCH], options=NORMA19_OPTIONS)
    assert data == NORMA19_EXPECTED.replace("\n", "\r\n").encode("cp850")
    assert all(len(line) == 162 for line in data.decode("cp850").split("\r\n")[:-1])


def test_presenter_header_5180() -> None:
    record = norma19.records([NORMA19_BATCH], options=NORMA19_OPTIONS)[0]
    assert (zone(record, 1, 2), zone(record, 3, 2), zone(record, 5, 12)) == ("51", "80", "B12345678000")
    assert zone(record, 17, 6) == "261126"  # DDMMAA
    assert zone(record, 23, 6) == " " * 6
    assert zone(record, 29, 40) == "COMPTOIR HOSTING SL".ljust(40)
    assert zone(record, 69, 20) == " " * 20
    assert (zone(record, 89, 4), zone(record, 93, 4)) == ("2100", "0418")  # receiving entidad, oficina
    assert zone(record, 97, 12) + zone(record, 109, 40) + zone(record, 149, 14) == " " * 66


def test_ordenante_header_5380() -> None:
    record = norma19.records([NORMA19_BATCH], options=NORMA19_OPTIONS)[1]
    assert (zone(record, 1, 2), zone(record, 3, 2), zone(record, 5, 12)) == ("53", "80", "B12345678000")
    assert (zone(record, 17, 6), zone(record, 23, 6)) == ("261126", "021226")  # confección, cargo
    assert zone(record, 29, 40) == "COMPTOIR HOSTING SL".ljust(40)
    assert (zone(record, 69, 4), zone(record, 73, 4), zone(record, 77, 2), zone(record, 79, 10)) == (
        "2100", "0418", "45", "0200051332")
    assert zone(record, 89, 8) == " " * 8
    assert zone(record, 97, 2) == "01"
    assert zone(record, 99, 10) + zone(record, 109, 40) + zone(record, 149, 14) == " " * 64


def test_individual_5680_with_the_sellers_optional_fields_from_customer_variables() -> None:
    record = one_debit(variables=VARIABLES)[2]
    assert (zone(record, 1, 2), zone(record, 3, 2), zone(record, 5, 12)) == ("56", "80", "B12345678000")
    assert zone(record, 17, 12) == "CLI000000042"
    assert zone(record, 29, 40) == "GARCIA LOPEZ MARIA".ljust(40)
    assert (zone(record, 69, 4), zone(record, 73, 4), zone(record, 77, 2), zone(record, 79, 10)) == (
        "0072", "0101", "93", "0000122351")
    assert zone(record, 89, 10) == "0000001999"
    assert zone(record, 99, 6) == "RC0001"  # F1 código para devoluciones
    assert zone(record, 105, 10) == "INT-77".ljust(10)  # F2 código de referencia interna
    assert zone(record, 115, 40) == "FACTURA 2026-0042 HOSTING DIC".ljust(40)
    assert zone(record, 155, 8) == " " * 8


def test_optional_concepts_go_in_the_records_that_hold_them_and_only_those() -> None:
    records = one_debit(variables=VARIABLES)
    kinds = [r[:4] for r in records]
    assert kinds == ["5180", "5380", "5680", "5681", "5682", "5685", "5686", "5880", "5980"]
    by_kind = {r[:4]: r for r in records}
    for kind in ("5681", "5682", "5685", "5686"):
        assert zone(by_kind[kind], 5, 12) + zone(by_kind[kind], 17, 12) == "B12345678000CLI000000042"
    # 5681: concepts 2, 3, 4 at 29, 69, 109; 5682: 5, 6, 7; 5685: 14, 15, 16
    assert zone(by_kind["5681"], 29, 40) == "SEGUNDO".ljust(40)
    assert zone(by_kind["5681"], 69, 80) == " " * 80
    assert zone(by_kind["5682"], 29, 40) == "QUINTO".ljust(40)
    assert zone(by_kind["5685"], 109, 40) == "DECIMOSEXTO".ljust(40)
    assert all(zone(by_kind[k], 149, 14) == " " * 14 for k in ("5681", "5682", "5685"))


def test_account_holder_record_5686() -> None:
    record = next(r for r in one_debit(variables=VARIABLES) if r.startswith("5686"))
    assert zone(record, 29, 40) == "ANA TITULAR".ljust(40)
    assert zone(record, 69, 40) == "CALLE MAYOR 1".ljust(40)
    assert zone(record, 109, 35) == "MADRID".ljust(35)
    assert zone(record, 144, 5) == "28013"
    assert zone(record, 149, 14) == " " * 14


def test_customers_without_the_variables_get_blank_optional_fields_and_no_optional_records() -> None:
    records = one_debit(variables={})
    assert [r[:4] for r in records] == ["5180", "5380", "5680", "5880", "5980"]
    assert zone(records[2], 99, 16) == " " * 16


def test_block_and_file_totals_over_two_ordenantes() -> None:
    second = replace(NORMA19_BATCH, creditor=replace(NORMA19_CREDITOR, nif_suffix="1"),
                     debits=(replace(NORMA19_BATCH.debits[0], amount_minor=5),))
    records = norma19.records([NORMA19_BATCH, second], options=NORMA19_OPTIONS)
    totals = [r for r in records if r.startswith("5880")]
    assert zone(totals[1], 5, 12) == "B12345678001"  # sufijo zero-filled
    assert (zone(totals[0], 89, 10), zone(totals[0], 105, 10), zone(totals[0], 115, 10)) == (
        "0000014099", "0000000002", "0000000005")
    assert (zone(totals[1], 89, 10), zone(totals[1], 105, 10), zone(totals[1], 115, 10)) == (
        "0000000005", "0000000001", "0000000003")
    assert zone(totals[0], 17, 72) + zone(totals[0], 99, 6) + zone(totals[0], 125, 38) == " " * 116
    general = records[-1]
    assert (zone(general, 1, 4), zone(general, 5, 12)) == ("5980", "B12345678000")
    assert zone(general, 69, 4) == "0002"  # ordenantes
    assert zone(general, 89, 10) == "0000014104"
    assert zone(general, 105, 10) == "0000000003"  # debits
    assert zone(general, 115, 10) == f"{len(records):010d}" == "0000000010"
    assert zone(general, 17, 52) + zone(general, 73, 16) + zone(general, 99, 6) + zone(general, 125, 38) == " " * 112


def test_debits_sorted_by_debtor_bank_and_office_then_reference() -> None:
    debits = (Debit("Zeta", 100, account_number="00720101930000122351", debtor_reference="B2"),
              Debit("Alfa", 100, account_number="00491500070212345678", debtor_reference="Z9"),
              Debit("Beta", 100, account_number="00720101930000122351", debtor_reference="A1"))
    records = norma19.records([replace(NORMA19_BATCH, debits=debits)])
    assert [zone(r, 17, 12).strip() for r in records if r.startswith("5680")] == ["Z9", "A1", "B2"]


def test_procedure_02_carries_a_short_concept_and_refuses_concept_records() -> None:
    record = one_debit(options=Norma19Options(procedure=Procedure.SECOND), remittance="Cuota mensual de diciembre")[2]
    assert zone(record, 115, 17) == "CUOTA MENSUAL DE "
    assert zone(record, 132, 23) == " " * 23
    with raises(E.NOT_ALLOWED, "options.fields"):
        norma19.records([NORMA19_BATCH], options=Norma19Options(procedure=Procedure.SECOND,
                                                               fields={F.CONCEPT_2: "x"}))
    with raises(E.REQUIRED, "batches[0].debits[0].remittance"):
        one_debit(options=Norma19Options(procedure=Procedure.SECOND), remittance="")


def test_text_is_uppercase_code_page_850_keeping_enye() -> None:
    debit = replace(NORMA19_BATCH.debits[0], debtor_name="Begoña Ibáñez & Cía. <test> " + "x" * 50)
    data = norma19.render([replace(NORMA19_BATCH, debits=(debit,))])
    line = data.split(b"\r\n")[2]
    assert line[28:68] == "BEGOÑA IBAÑEZ & CIA. TEST XXXXXXXXXXXXXX".encode("cp850")
    assert line[32] == 165  # Ñ in code page 850


def test_control_digits_the_debtor_did_not_give_are_sent_as_stars() -> None:
    record = one_debit(account_number="00720101**0000122351")[2]
    assert zone(record, 77, 2) == "**"


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"account_number": "00720101940000122351"}, E.INVALID_ACCOUNT, "accountNumber"),
    ({"account_number": "0072010193"}, E.INVALID_ACCOUNT, "accountNumber"),
    ({"account_number": "", "iban": "ES9121000418460200051332"}, E.INVALID_IBAN, "iban"),
    ({"account_number": "", "iban": "DE89370400440532013000"}, E.INVALID_ACCOUNT, "iban"),
    ({"currency": "USD"}, E.UNSUPPORTED_CURRENCY, "currency"),
    ({"amount_minor": 0}, E.INVALID_AMOUNT, "amountMinor"),
    ({"amount_minor": 10_000_000_000}, E.INVALID_AMOUNT, "amountMinor"),
    ({"debtor_reference": "000000"}, E.REQUIRED, "debtorReference"),
    ({"debtor_reference": "CLI-0000000001"}, E.TEXT_TOO_LONG, "debtorReference"),
    ({"debtor_name": "  "}, E.REQUIRED, "debtorName"),
])
def test_bad_debits_are_refused_with_a_typed_error(changes, code, field) -> None:  # type: ignore[no-untyped-def]
    with raises(code, f"batches[0].debits[0].{field}"):
        one_debit(**changes)


def test_a_file_total_beyond_ten_digits_is_refused() -> None:
    big = replace(NORMA19_BATCH.debits[0], amount_minor=9_999_999_999)
    with raises(E.TOTAL_TOO_LARGE):
        norma19.records([replace(NORMA19_BATCH, debits=(big, big))])


def test_bad_creditors_and_batches_are_refused() -> None:
    with raises(E.REQUIRED, "presenter.nif"):
        norma19.records([replace(NORMA19_BATCH, creditor=Creditor("X", iban=NORMA19_CREDITOR.iban))])
    with raises(E.EMPTY_BATCH):
        norma19.records([replace(NORMA19_BATCH, debits=())])
    with raises(E.INVALID_DATE, "batches[0].collectionDate"):
        norma19.records([replace(NORMA19_BATCH, collection_date=date(2026, 11, 1))])
