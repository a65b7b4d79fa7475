"""Runs every example of docs/emails.md, in order, against the demo data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.docs.guide import run_examples
from tests.docs.test_hosting_guide import STEP

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "emails.md"


def substitute(text: str, saved: dict[str, str]) -> str:
    """`<name>` of a saved value; HTML tags in the examples stay as they are."""
    return re.sub(r"<(\w+)>", lambda m: saved.get(m.group(1), m.group(0)), text)


def steps() -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]


async def test_every_example_of_the_emails_guide_runs_without_errors(client: Any, published_intents: Any) -> None:
    examples = steps()
    assert len(examples) >= 9, "the guide lost its examples"
    answers, _ = await run_examples(client, examples, substitute)
    # the French welcome e-mail, changed, previewed with sample data, then reset
    assert answers[0]["emailTemplates"][0]["subject"] == "Bienvenue chez {{ seller_name }}"
    preview = answers[2]["emailTemplatePreview"]["preview"]
    assert preview["subject"] == "Bienvenue chez Alpha Hosting, Ada Lovelace !"
    assert "Se connecter (https://panel.example.test/login)" in preview["text"]
    assert answers[3]["emailTemplateReset"]["emailTemplate"] == {"subject": "Bienvenue chez {{ seller_name }}",
                                                                  "overridden": False}
    assert answers[4]["smtpSettingsUpdate"]["smtpSettings"]["hasPassword"] is True
    assert answers[7]["massEmailCreate"]["massEmail"]["status"] == "PENDING"
