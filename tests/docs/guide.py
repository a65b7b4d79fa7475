"""Runs the GraphQL examples of a guide in docs/, in order, each as the demo user it names."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from comptoir import demo
from tests.docs.test_hosting_guide import dig, no_user_errors


async def run_examples(client: Any, examples: list[dict[str, Any]], substitute: Callable[[str, dict[str, str]], str],
                       *, tokens: dict[str, str | None] | None = None, after_each: Callable[[], None] | None = None
                       ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The answers' data in order, and the values the examples saved (`save: name = path`); `after_each`
    runs between examples (a worker's turn)."""
    credentials = {c.username: c.password for c in demo.load()}
    tokens = dict(tokens or {})
    saved: dict[str, str] = {}
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
