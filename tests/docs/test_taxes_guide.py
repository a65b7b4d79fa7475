"""Runs every example of docs/taxes.md, in order, against a fresh database (the demo seller `alpha` and its
customer `alice.martin`), and recomputes the guide's worked figures with the code that taxes invoices."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from comptoir.billing.tax_rules import TaxCategory, Treatment
from comptoir.billing.taxation import TaxableLine, taxed
from tests.docs.guide_runner import run_guide

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "taxes.md"
FIGURES = re.compile(r"<!-- figures -->\n(?P<table>.*?)<!-- /figures -->", re.S)


def figures() -> list[list[str]]:
    table = FIGURES.search(GUIDE.read_text(encoding="utf-8"))
    assert table, "the guide lost its worked figures"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table["table"].strip().splitlines()]
    return rows[2:]  # past the header and its rule


def _ints(cell: str) -> list[int]:
    return [int(value) for value in cell.split(",")]


@pytest.mark.parametrize("row", figures(), ids=lambda row: f"{row[0]} {row[1]} {row[2]}%")
def test_the_worked_figures_are_what_the_code_computes(row: list[str]) -> None:
    amounts, prices, rate, nets, taxable, tax, total = row
    invoice = taxed([TaxableLine(i, a, None, "plan") for i, a in enumerate(_ints(amounts))],
                    Treatment(TaxCategory.STANDARD, Decimal(rate)), prices_include_tax=prices == "inclusive")
    assert [line.net_minor for line in invoice.lines] == _ints(nets)
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (int(taxable), int(tax), int(total))


async def test_every_example_of_the_taxes_guide_runs_without_errors(client: Any) -> None:
    answers, _ = await run_guide(client, GUIDE, at_least=15)
    zones = next(a["taxZones"] for a in answers if "taxZones" in a)
    germany = next(edge["node"] for edge in zones["edges"] if edge["node"]["name"] == "Germany")
    assert [(r["rate"], r["validFrom"], r["validTo"]) for r in germany["rates"]] == [
        ("19.000", "2007-01-01", "2020-06-30"), ("16.000", "2020-07-01", "2020-12-31"), ("19.000", "2021-01-01", None)]
    profile = next(a["myTaxProfile"] for a in answers if "myTaxProfile" in a)
    assert profile == {"b2b": True, "vatId": "FR40303265045", "exempt": False, "exemptionReason": ""}
    listed = next(a for a in answers if "coupons" in a)
    assert [e["node"] for e in listed["coupons"]["edges"]] == [{"code": "WELCOME20", "uses": 0, "active": False}]
