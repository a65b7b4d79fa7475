"""The example files of docs/bank-files.md are what the code produces from tests/billing/bankfiles/examples
(the inputs of the specs' worked examples): regenerate a block with `generated_examples()` when the code
changes on purpose."""

from __future__ import annotations

import re
from pathlib import Path

from comptoir.billing.bankfiles import dtaus, norma19, sepa
from tests.billing.bankfiles.examples import DTAUS_BATCH, NORMA19_BATCH, NORMA19_OPTIONS, SEPA_BATCH

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "bank-files.md"
BLOCK = re.compile(r"<!-- generated: (?P<name>\w+) -->\s*```\w*\n(?P<body>.*?)```", re.S)


def generated_examples() -> dict[str, str]:
    """Each example as shown in the guide: fixed-width records one per line with `_` for a space (DTAUS in
    its 128-byte blocks), the XML as written."""
    norma = norma19.render([NORMA19_BATCH], options=NORMA19_OPTIONS).decode("cp850").replace("\r\n", "\n")
    blocks = dtaus.render(DTAUS_BATCH).decode("ascii")
    return {
        "norma19": norma.replace(" ", "_"),
        "dtaus": "".join(blocks[i:i + 128] + "\n" for i in range(0, len(blocks), 128)).replace(" ", "_"),
        "sepa": sepa.render(SEPA_BATCH).decode("utf-8"),
    }


def test_the_guides_examples_are_the_codes_output() -> None:
    shown = {m["name"]: m["body"] for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))}
    assert shown == generated_examples()
