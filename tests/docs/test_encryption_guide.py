"""Runs every example of docs/encryption.md, in order, against the demo data (seller `alpha` logged in)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comptoir import demo
from tests.docs.test_hosting_guide import STEP, no_user_errors

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "encryption.md"


async def test_every_example_of_the_encryption_guide_runs_without_errors(client: Any) -> None:
    credentials = {c.username: c.password for c in demo.load()}
    examples = [m.groupdict() for m in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]
    assert len(examples) == 3, "the guide lost its examples"
    answers = []
    for number, step in enumerate(examples, 1):
        token = await client.login(step["who"], credentials[step["who"]])
        variables = json.loads(step["variables"]) if step["variables"] else None
        result = await client.execute(step["query"], variables, token=token)
        assert "errors" not in result, f"example {number}: {result['errors']}"
        assert no_user_errors(result["data"]) == [], f"example {number}: {result['data']}"
        answers.append(result["data"])
    assert answers[0]["encryptionSettings"]["automationAvailable"] is True
    assert answers[1]["encryptionPassphraseEnable"]["encryptionSettings"]["automationAvailable"] is False
    assert answers[2]["encryptionUnlock"]["encryptionSettings"] == {"unlocked": True}
