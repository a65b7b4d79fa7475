"""Runs every example of docs/hosting-guide.md, in order, against a fresh database."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from comptoir import demo
from comptoir.database.engine import session_scope
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller
from sqlalchemy import select

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "hosting-guide.md"
STEP = re.compile(r"<!-- as: (?P<who>[\w.]+)(?:; save: (?P<save>[^>]*?))? -->\s*```graphql\n(?P<query>.*?)```"
                  r"(?:\s*```json\n(?P<variables>.*?)```)?", re.S)


def steps() -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]


def dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def substitute(text: str, saved: dict[str, str]) -> str:
    return re.sub(r"<(\w+)>", lambda m: saved[m.group(1)], text)


def no_user_errors(data: Any) -> list[Any]:
    """Every non-empty `errors` list anywhere in the answer."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "errors" and value:
                found.append(value)
            else:
                found += no_user_errors(value)
    elif isinstance(data, list):
        for item in data:
            found += no_user_errors(item)
    return found


async def run_examples(client: Any, guide: Path, *, at_least: int) -> list[Any]:
    """Run every example of `guide` in order as its `who` (demo users logged in; "visitor": anonymous),
    saving what its `save:` names for later examples; returns each example's data."""
    credentials = {c.username: c.password for c in demo.load()}
    examples = [m.groupdict() for m in STEP.finditer(guide.read_text(encoding="utf-8"))]
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
    return answers


def give_alpha_an_address() -> None:
    from tests.hosting.support import pool_entry

    with session_scope(TenantContext(Role.PROVIDER, demo_provider_id())) as session:
        alpha = session.scalars(select(Seller).where(Seller.name == "Alpha Hosting")).one()
    pool_entry(demo_provider_id(), alpha.id)


def demo_provider_id():  # type: ignore[no-untyped-def]
    import uuid

    with session_scope(TenantContext(Role.PROVIDER, uuid.uuid4())) as session:
        return session.scalars(select(Seller.id).where(Seller.kind == "provider")).one()


async def test_every_example_of_the_hosting_guide_runs_without_errors(client):
    credentials = {c.username: c.password for c in demo.load()}
    if not demo.has_ip_addresses():
        give_alpha_an_address()
    examples = steps()
    assert len(examples) >= 10, "the guide lost its examples"
    saved: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for number, step in enumerate(examples, 1):
        who = step["who"]
        tokens.setdefault(who, await client.login(who, credentials[who]))
        variables = json.loads(substitute(step["variables"], saved)) if step["variables"] else None
        result = await client.execute(step["query"], variables, token=tokens[who])
        assert "errors" not in result, f"example {number}: {result['errors']}"
        assert no_user_errors(result["data"]) == [], f"example {number}: {result['data']}"
        for assignment in filter(None, (step["save"] or "").split(";")):
            name, _, path = (part.strip() for part in assignment.partition("="))
            saved[name] = dig(result, path)
    assert saved["subscriptionId"]
