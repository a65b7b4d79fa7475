"""Runs the GraphQL examples of a guide in docs/, in order, as the users their comments name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comptoir import demo
from tests.docs.test_hosting_guide import STEP, dig, no_user_errors, substitute


def steps(guide: Path) -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(guide.read_text(encoding="utf-8"))]


async def run_guide(client: Any, guide: Path, *, at_least: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Load the demo data, run every example (`visitor`: anonymous), check none answered an error; the
    answers and the values the examples saved."""
    credentials = {c.username: c.password for c in demo.load()}
    examples = steps(guide)
    assert len(examples) >= at_least, "the guide lost its examples"
    saved: dict[str, str] = {}
    tokens: dict[str, str | None] = {"visitor": None}
    answers = []
    for number, step in enumerate(examples, 1):
        who = step["who"]
        if who not in tokens:
            tokens[who] = await client.login(who, credentials[who])
        variables = json.loads(substitute(step["variables"], saved)) if step["variables"] else None
        result = await client.execute(substitute(step["query"], saved), variables, token=tokens[who])
        assert "errors" not in result, f"example {number}: {result['errors']}"
        assert no_user_errors(result["data"]) == [], f"example {number}: {result['data']}"
        answers.append(result["data"])
        for assignment in filter(None, (step["save"] or "").split(";")):
            name, _, path = (part.strip() for part in assignment.partition("="))
            saved[name] = str(dig(result, path))
    return answers, saved
