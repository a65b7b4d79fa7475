"""Runs the GraphQL examples of a guide in docs/, in order, as the users their comments name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.docs.guide import run_examples
from tests.docs.test_hosting_guide import STEP, substitute


def steps(guide: Path) -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(guide.read_text(encoding="utf-8"))]


async def run_guide(client: Any, guide: Path, *, at_least: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Load the demo data, run every example (`visitor`: anonymous), check none answered an error; the
    answers and the values the examples saved."""
    examples = steps(guide)
    assert len(examples) >= at_least, "the guide lost its examples"
    return await run_examples(client, examples, substitute, tokens={"visitor": None})
