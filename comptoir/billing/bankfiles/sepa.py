"""SEPA direct debit initiation, ISO 20022 pain.008.001.02 (EPC rulebooks to 2021) or pain.008.001.08
(2023 rulebooks): built with lxml, validated against the official XSD vendored in `schemas/`
(../shared/formats/SEPA_DD.md). One PmtInf per sequence type (a batch has one collection date).

The XSD does not check the EPC character set, so text is reduced to it here (accents stripped, German
umlauts as ae/oe/ue/ss, anything else a space); names are cut at 70 characters and the remittance text
at 140. Identifiers (message, mandate, end-to-end ids, at most 35 characters, no leading, trailing or
double slash) are refused, never altered.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from comptoir.billing.bankfiles import accounts
from comptoir.billing.bankfiles.model import BankFileError, BankFileErrorCode, Batch, Debit, SequenceType
from comptoir.billing.bankfiles.text import restrict, strip_accents

E = BankFileErrorCode
SCHEMAS = Path(__file__).resolve().parent / "schemas"
MAX_NAME = 70
MAX_REMITTANCE = 140
MAX_AMOUNT = 99_999_999_999  # 999 999 999,99 EUR
EPC_PUNCTUATION = set("/-?:().,'+ ")
UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
IDENTIFIER = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")
NOT_PROVIDED = "NOTPROVIDED"


class Version(enum.Enum):
    V02 = "pain.008.001.02"
    V08 = "pain.008.001.08"

    @property
    def namespace(self) -> str:
        return f"urn:iso:std:iso:20022:tech:xsd:{self.value}"

    @property
    def bic_element(self) -> str:
        return "BIC" if self is Version.V02 else "BICFI"


class Instrument(enum.Enum):
    CORE = "CORE"
    B2B = "B2B"


def text(value: str, limit: int) -> str:
    """EPC Latin subset, cut at `limit`."""
    plain = strip_accents("".join(UMLAUTS.get(c, c) for c in value))
    return restrict(plain, lambda c: c.isascii() and c.isalnum() or c in EPC_PUNCTUATION)[:limit].rstrip()


def identifier(value: str, *, field: str) -> str:
    """Max35Text of the EPC subset, not starting or ending with `/`, without `//`."""
    if not IDENTIFIER.match(value) or value.startswith("/") or value.endswith("/") or "//" in value:
        raise BankFileError(E.INVALID_IDENTIFIER, f"{value!r}: 1 to 35 characters of the SEPA set, no leading,"
                            " trailing or double slash.", field=field)
    return value


def amount(minor: int) -> str:
    return str((Decimal(minor) / 100).quantize(Decimal("0.01")))


def render(batch: Batch, *, version: Version = Version.V02, instrument: Instrument = Instrument.CORE) -> bytes:
    """The pain.008 document, UTF-8 with an XML declaration, valid against the version's XSD."""
    document = build(batch, version=version, instrument=instrument)
    validate(document, version)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(document: Any, version: Version) -> None:
    schema = _schema(version)
    if not schema.validate(document):
        raise BankFileError(E.SCHEMA_INVALID, f"Not valid {version.value}: {schema.error_log.last_error}")


@cache
def _schema(version: Version) -> Any:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{version.value}.xsd")))


def build(batch: Batch, *, version: Version = Version.V02, instrument: Instrument = Instrument.CORE) -> Any:
    if not batch.debits:
        raise BankFileError(E.EMPTY_BATCH, "A SEPA file needs at least one debit.")
    creditor = batch.creditor
    message_id = identifier(batch.message_id, field="messageId")
    prefix = batch.payment_info_prefix or message_id
    creditor_iban = accounts.iban(creditor.iban, field="creditor.iban").compact
    creditor_bic = accounts.bic(creditor.bic, field="creditor.bic") if creditor.bic else ""
    if version is Version.V02 and not creditor_bic:
        raise BankFileError(E.REQUIRED, "pain.008.001.02 needs the creditor's BIC.", field="creditor.bic")
    scheme_id = accounts.creditor_id(creditor.creditor_id, field="creditor.creditorId")
    name = text(creditor.name, MAX_NAME)
    if not name:
        raise BankFileError(E.REQUIRED, "The creditor's name is required.", field="creditor.name")
    checked = [_checked(debit, f"debits[{n}]") for n, debit in enumerate(batch.debits)]
    groups: dict[SequenceType, list[tuple[Debit, str, str]]] = {}
    for item in checked:
        groups.setdefault(item[0].sequence_type, []).append(item)

    ns = version.namespace
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    el = _maker(ns)
    initiation = el(root, "CstmrDrctDbtInitn")
    header = el(initiation, "GrpHdr")
    el(header, "MsgId", message_id)
    el(header, "CreDtTm", batch.created_at.replace(microsecond=0, tzinfo=None).isoformat())
    el(header, "NbOfTxs", str(len(checked)))
    el(header, "CtrlSum", amount(batch.total_minor()))
    el(el(header, "InitgPty"), "Nm", name)
    for sequence, items in groups.items():
        info = el(initiation, "PmtInf")
        el(info, "PmtInfId", identifier(f"{prefix}-{sequence.value}", field="paymentInfoPrefix"))
        el(info, "PmtMtd", "DD")
        el(info, "BtchBookg", "true")
        el(info, "NbOfTxs", str(len(items)))
        el(info, "CtrlSum", amount(sum(debit.amount_minor for debit, _, _ in items)))
        kind = el(info, "PmtTpInf")
        el(el(kind, "SvcLvl"), "Cd", "SEPA")
        el(el(kind, "LclInstrm"), "Cd", instrument.value)
        el(kind, "SeqTp", sequence.value)
        el(info, "ReqdColltnDt", batch.collection_date.isoformat())
        el(el(info, "Cdtr"), "Nm", name)
        el(el(el(info, "CdtrAcct"), "Id"), "IBAN", creditor_iban)
        _agent(el, el(info, "CdtrAgt"), creditor_bic, version)
        el(info, "ChrgBr", "SLEV")
        other = el(el(el(el(info, "CdtrSchmeId"), "Id"), "PrvtId"), "Othr")
        el(other, "Id", scheme_id)
        el(el(other, "SchmeNm"), "Prtry", "SEPA")
        for debit, debtor_iban, debtor_bic in items:
            _transaction(el, el(info, "DrctDbtTxInf"), debit, debtor_iban, debtor_bic, version)
    return root


def _maker(ns: str) -> Callable[..., Any]:
    def el(parent: Any, tag: str, value: str | None = None, **attributes: str) -> Any:
        child = etree.SubElement(parent, f"{{{ns}}}{tag}", **attributes)
        if value is not None:
            child.text = value
        return child
    return el


def _agent(el: Callable[..., Any], agent: Any, bic: str, version: Version) -> None:
    institution = el(agent, "FinInstnId")
    if bic:
        el(institution, version.bic_element, bic)
    else:
        el(el(institution, "Othr"), "Id", NOT_PROVIDED)


def _checked(debit: Debit, field: str) -> tuple[Debit, str, str]:
    accounts.euro_amount(debit.amount_minor, debit.currency, field=field, maximum=MAX_AMOUNT)
    debtor_iban = accounts.iban(debit.iban, field=f"{field}.iban").compact
    debtor_bic = accounts.bic(debit.bic, field=f"{field}.bic") if debit.bic else ""
    identifier(debit.mandate_id, field=f"{field}.mandateId")
    if debit.mandate_date is None:
        raise BankFileError(E.REQUIRED, "The mandate's signature date is required.", field=f"{field}.mandateDate")
    if not text(debit.debtor_name, MAX_NAME):
        raise BankFileError(E.REQUIRED, "The debtor's name is required.", field=f"{field}.debtorName")
    if debit.reference:
        identifier(debit.reference, field=f"{field}.reference")
    return debit, debtor_iban, debtor_bic


def _transaction(el: Callable[..., Any], tx: Any, debit: Debit, debtor_iban: str, debtor_bic: str,
                 version: Version) -> None:
    el(el(tx, "PmtId"), "EndToEndId", debit.reference or NOT_PROVIDED)
    el(tx, "InstdAmt", amount(debit.amount_minor), Ccy="EUR")
    mandate = el(el(tx, "DrctDbtTx"), "MndtRltdInf")
    el(mandate, "MndtId", debit.mandate_id)
    el(mandate, "DtOfSgntr", _iso(debit.mandate_date))
    _agent(el, el(tx, "DbtrAgt"), debtor_bic, version)
    el(el(tx, "Dbtr"), "Nm", text(debit.debtor_name, MAX_NAME))
    el(el(el(tx, "DbtrAcct"), "Id"), "IBAN", debtor_iban)
    remittance = text(debit.remittance.replace("\n", " "), MAX_REMITTANCE)
    if remittance:
        el(el(tx, "RmtInf"), "Ustrd", remittance)


def _iso(day: date | None) -> str:
    assert day is not None
    return day.isoformat()
