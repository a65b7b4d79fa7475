"""SEPA pain.008: the spec's example, XSD validity of both versions (vendored schemas, nothing fetched),
grouping and control sums, the EPC character set and length rules, refused input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from lxml import etree

from comptoir.billing.bankfiles import sepa
from comptoir.billing.bankfiles.model import BankFileErrorCode as E
from comptoir.billing.bankfiles.model import SequenceType
from comptoir.billing.bankfiles.sepa import Instrument, Version
from tests.billing.bankfiles.examples import SEPA_BATCH, SEPA_EXPECTED
from tests.billing.bankfiles.support import raises


def canonical(document: bytes) -> bytes:
    return etree.tostring(etree.fromstring(document, etree.XMLParser(remove_blank_text=True)), method="c14n")


def parsed(version: Version = Version.V02, **changes) -> tuple[etree._Element, dict[str, str]]:  # type: ignore[no-untyped-def]
    root = etree.fromstring(sepa.render(replace(SEPA_BATCH, **changes), version=version))
    return root, {"p": version.namespace}


def test_the_worked_example_of_the_spec_comes_out_element_for_element() -> None:
    data = sepa.render(SEPA_BATCH)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert canonical(data) == canonical(SEPA_EXPECTED.encode())


@pytest.mark.parametrize("version", list(Version))
def test_every_version_validates_against_its_official_xsd(version: Version) -> None:
    schema = etree.XMLSchema(etree.parse(str(sepa.SCHEMAS / f"{version.value}.xsd")))
    root = etree.fromstring(sepa.render(SEPA_BATCH, version=version))
    assert schema.validate(root), schema.error_log
    assert root.tag == f"{{{version.namespace}}}Document"


def test_version_08_names_bics_bicfi() -> None:
    root, ns = parsed(Version.V08)
    assert root.xpath("//p:CdtrAgt/p:FinInstnId/p:BICFI/text()", namespaces=ns) == ["CAIXESBBXXX"]
    assert root.xpath("//p:BIC", namespaces=ns) == []


def test_one_payment_information_per_sequence_type_with_its_own_totals() -> None:
    first = replace(SEPA_BATCH.debits[0], sequence_type=SequenceType.FIRST, amount_minor=1)
    debits = (first, *SEPA_BATCH.debits, replace(SEPA_BATCH.debits[1], sequence_type=SequenceType.ONE_OFF))
    root, ns = parsed(debits=debits)
    assert root.xpath("//p:GrpHdr/p:NbOfTxs/text()", namespaces=ns) == ["4"]
    assert root.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=ns) == ["160.99"]
    infos = root.xpath("//p:PmtInf", namespaces=ns)
    summary = [(i.findtext("p:PmtInfId", namespaces=ns), i.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns),
                i.findtext("p:NbOfTxs", namespaces=ns), i.findtext("p:CtrlSum", namespaces=ns)) for i in infos]
    assert summary == [("COMPTOIR-20261126-FRST", "FRST", "1", "0.01"), ("COMPTOIR-20261126-RCUR", "RCUR", "2", "140.99"),
                       ("COMPTOIR-20261126-OOFF", "OOFF", "1", "19.99")]


def test_creditor_without_bic_is_not_provided_in_08_and_refused_in_02() -> None:
    creditor = replace(SEPA_BATCH.creditor, bic="")
    root, ns = parsed(Version.V08, creditor=creditor)
    assert root.xpath("//p:CdtrAgt/p:FinInstnId/p:Othr/p:Id/text()", namespaces=ns) == ["NOTPROVIDED"]
    with raises(E.REQUIRED, "creditor.bic"):
        sepa.render(replace(SEPA_BATCH, creditor=creditor))


def test_b2b_instrument_and_end_to_end_id_not_provided() -> None:
    data = sepa.render(replace(SEPA_BATCH, debits=(replace(SEPA_BATCH.debits[0], reference=""),)),
                       instrument=Instrument.B2B)
    root = etree.fromstring(data)
    ns = {"p": Version.V02.namespace}
    assert root.xpath("//p:LclInstrm/p:Cd/text()", namespaces=ns) == ["B2B"]
    assert root.xpath("//p:EndToEndId/text()", namespaces=ns) == ["NOTPROVIDED"]


def test_text_is_reduced_to_the_epc_set_and_cut_at_70_and_140() -> None:
    debit = replace(SEPA_BATCH.debits[0], debtor_name="Ñandú Çelik “Straße” 50€ " + "n" * 80,
                    remittance="Rechnung\n" + "r" * 200)
    root, ns = parsed(debits=(debit,))
    name = root.xpath("//p:Dbtr/p:Nm/text()", namespaces=ns)[0]
    assert name.startswith("Nandu Celik Strasse 50 n") and len(name) == 70
    remittance = root.xpath("//p:Ustrd/text()", namespaces=ns)[0]
    assert remittance.startswith("Rechnung rrr") and len(remittance) == 140


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"iban": "DE02120300000000202052"}, E.INVALID_IBAN, "iban"),
    ({"iban": "ES7000491500999912345678"}, E.INVALID_IBAN, "iban"),  # IBAN checksum right, CCC digits wrong
    ({"bic": "BYLADEM"}, E.INVALID_BIC, "bic"),
    ({"currency": "GBP"}, E.UNSUPPORTED_CURRENCY, "currency"),
    ({"amount_minor": 100_000_000_000}, E.INVALID_AMOUNT, "amountMinor"),
    ({"mandate_id": "M" * 36}, E.INVALID_IDENTIFIER, "mandateId"),
    ({"mandate_id": "/MANDATE"}, E.INVALID_IDENTIFIER, "mandateId"),
    ({"mandate_id": "MAN//DATE"}, E.INVALID_IDENTIFIER, "mandateId"),
    ({"mandate_id": ""}, E.INVALID_IDENTIFIER, "mandateId"),
    ({"reference": "INV_2026"}, E.INVALID_IDENTIFIER, "reference"),
    ({"mandate_date": None}, E.REQUIRED, "mandateDate"),
    ({"debtor_name": "€€€"}, E.REQUIRED, "debtorName"),
])
def test_bad_debits_are_refused_with_a_typed_error(changes, code, field) -> None:  # type: ignore[no-untyped-def]
    with raises(code, f"debits[0].{field}"):
        sepa.render(replace(SEPA_BATCH, debits=(replace(SEPA_BATCH.debits[0], **changes),)))


def test_bad_creditors_and_batches_are_refused() -> None:
    with raises(E.INVALID_CREDITOR_ID, "creditor.creditorId"):  # the sepaxml README's CI fails its checksum
        sepa.render(replace(SEPA_BATCH, creditor=replace(SEPA_BATCH.creditor, creditor_id="DE26ZZZ00000000000")))
    with raises(E.INVALID_IBAN, "creditor.iban"):
        sepa.render(replace(SEPA_BATCH, creditor=replace(SEPA_BATCH.creditor, iban="ES9121000418450200051333")))
    with raises(E.INVALID_IDENTIFIER, "messageId"):
        sepa.render(replace(SEPA_BATCH, message_id=""))
    with raises(E.EMPTY_BATCH):
        sepa.render(replace(SEPA_BATCH, debits=()))


def test_the_schema_check_catches_what_the_builder_let_through() -> None:
    document = sepa.build(SEPA_BATCH)
    ns = {"p": Version.V02.namespace}
    document.xpath("//p:Ustrd", namespaces=ns)[0].text = "x" * 141
    with raises(E.SCHEMA_INVALID):
        sepa.validate(document, Version.V02)


def test_amounts_are_written_with_two_decimals() -> None:
    debits = tuple(replace(SEPA_BATCH.debits[1], amount_minor=m, reference=f"R{m}") for m in (1, 10, 100, 99_999_999_999))
    root, ns = parsed(debits=debits)
    assert root.xpath("//p:InstdAmt/text()", namespaces=ns) == ["0.01", "0.10", "1.00", "999999999.99"]
    assert root.xpath("//p:InstdAmt/@Ccy", namespaces=ns) == ["EUR"] * 4
    assert root.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=ns) == ["1000000001.10"]


def test_mandate_and_dates() -> None:
    root, ns = parsed(collection_date=date(2027, 1, 4))
    assert root.xpath("//p:ReqdColltnDt/text()", namespaces=ns) == ["2027-01-04"]
    assert root.xpath("//p:DtOfSgntr/text()", namespaces=ns) == ["2025-03-14", "2024-01-15"]
