"""Runs a guide's examples in order: each as the user its comment names, with the values saved from earlier
answers, refusing any GraphQL or user error; `after_each` runs between examples (a worker's turn)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from comptoir import demo
from tests.docs.test_hosting_guide import dig, no_user_errors, substitute


async def run_examples(client: Any, examples: list[dict[str, Any]], *,
                       after_each: Callable[[], None] | None = None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The answers' data, in order, and the values saved along the way."""
    credentials = {c.username: c.password for c in demo.load()}
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
        if after_each is not None:
            after_each()
    return answers, saved
