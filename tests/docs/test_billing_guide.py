"""docs/billing.md: its worked examples are recomputed by the billing rules, and its GraphQL examples run
in order against the demo data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from comptoir.billing.numbering_rules import NumberingFormat, Series, format_number
from comptoir.billing.rules import BillingMode, Cycle, ServiceTerms, first_periods, periods
from tests.docs.test_hosting_guide import run_examples

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "billing.md"
EXAMPLE = re.compile(r"<!-- example: (?P<args>[^>]*) -->\n(?P<table>(?:\|.*\|\n)+)")


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table.strip().splitlines()[2:]]


def test_the_worked_examples_are_what_the_rules_compute() -> None:
    examples = list(EXAMPLE.finditer(GUIDE.read_text(encoding="utf-8")))
    assert len(examples) >= 5, "the guide lost its worked examples"
    for match in examples:
        kind, *args = match["args"].split()
        rows = _rows(match["table"])
        if kind == "anniversary":
            terms = ServiceTerms(date.fromisoformat(args[0]), Cycle(args[1]), 1000)
            chain = periods(terms)
            computed = [[str(n), p.start.isoformat(), p.last_day.isoformat()]
                        for n, p in zip(range(1, len(rows) + 1), chain)]
        elif kind == "monthly":
            terms = ServiceTerms(date.fromisoformat(args[0]), Cycle(args[1]), int(args[2]), mode=BillingMode.MONTHLY)
            computed = [[p.kind.value, p.start.isoformat(), p.last_day.isoformat(), str(p.amount_minor)]
                        for p in first_periods(terms)]
        else:
            day, start = date.fromisoformat(args[0]), int(args[1])
            computed = [[fmt.value, *(format_number(fmt, series, day, start, fiscal_start_month=int(args[2]))
                                      for series in (Series.INVOICE, Series.CREDIT_NOTE))] for fmt in NumberingFormat]
        assert rows == computed, match["args"]


async def test_every_graphql_example_of_the_billing_guide_runs_without_errors(client: Any) -> None:
    answers = await run_examples(client, GUIDE, at_least=8)
    payment = next(a["invoicePaymentRecord"] for a in answers if "invoicePaymentRecord" in a)
    assert payment["invoices"][0]["status"] == "PAID" and payment["credited"]["amount"] == "10.00"
    statement = next(a["customerStatement"] for a in answers if "customerStatement" in a)
    assert [line["balance"]["amount"] for line in statement["lines"]] == ["90.00", "0.00", "-10.00", "-55.00"]
    assert statement["credit"]["amount"] == "55.00"
    own = next(a["invoices"] for a in answers if "invoices" in a)
    assert own["totalCount"] == 2  # the invoice and its credit note
