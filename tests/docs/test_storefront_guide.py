"""Runs every example of docs/storefront.md, in order, against a fresh database: the seller `alpha`
logged in, the visitor anonymous."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.docs.guide_runner import run_examples
from tests.docs.test_hosting_guide import STEP

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "storefront.md"


def steps() -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]


async def test_every_example_of_the_storefront_guide_runs_without_errors(client: Any) -> None:
    examples = steps()
    assert len(examples) >= 12, "the guide lost its examples"
    answers, saved = await run_examples(client, examples)
    # the catalog formatted for fr_FR, the cart ready, the order pending and followed by the visitor
    catalog = next(a["storefront"] for a in answers if "storefront" in a)
    assert catalog["offers"][0]["name"] == "Hébergement web"
    assert re.fullmatch(r"99,00\s€", next(p["price"]["formatted"] for p in catalog["offers"][0]["prices"]
                                         if p["cycle"] == "ANNUAL"))
    followed = next(a["cart"] for a in answers if "cart" in a and a["cart"] and "orderStatus" in a["cart"])
    assert followed == {"status": "completed", "orderId": saved["orderId"], "orderStatus": "pending"}
    assert next(a for a in reversed(answers) if "orders" in a)["orders"][0]["id"] == saved["orderId"]
