"""Runs every example of docs/domains.md, in order, against a fresh demo database; between examples it
performs the due registrar operations and certificate rounds, as the worker would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comptoir.automation import intents
from tests.docs.guide import run_examples
from tests.docs.test_hosting_guide import STEP, substitute

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "domains.md"
DUE = """SELECT %s, seller_id, id FROM {table}
          WHERE status IN ('pending', 'running') AND next_attempt_at <= now() ORDER BY created_at"""


def steps() -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]


def work(superuser: Any) -> None:
    for kind, table in (("domain_operation", "domain_operations"), ("certificate_order", "certificate_orders")):
        for name, seller_id, intent_id in superuser.execute(DUE.format(table=table), (kind,)).fetchall():
            assert intents.perform(name, seller_id, intent_id) == "done"


async def test_every_example_of_the_domains_guide_runs_without_errors(client: Any, superuser_connection: Any) -> None:
    examples = steps()
    assert len(examples) >= 20, "the guide lost its examples"
    answers, _ = await run_examples(client, examples, substitute, tokens={"visitor": None},
                                    after_each=lambda: work(superuser_connection))
    tlds = next(a["tlds"] for a in answers if "tlds" in a)
    assert [(t["name"], t["status"]) for t in tlds] == [("com", "ACTIVE"), ("shop", "SUSPENDED")]
    checks = next(a for a in answers if "free" in a)
    assert [checks[k]["availability"] for k in ("free", "taken", "unsold")] == ["AVAILABLE", "TAKEN", "TLD_NOT_SOLD"]
    listed = next(a["domains"] for a in answers if "domains" in a and "totalCount" in a["domains"])
    assert [(e["node"]["name"], e["node"]["status"]) for e in listed["edges"]] == [
        ("alice-old.net", "ACTIVE"), ("alice-shop.com", "ACTIVE")]
    renewed = next(a["domainSetNameServers"]["domain"] for a in answers if "domainSetNameServers" in a)
    first_expiry = listed["edges"][1]["node"]["expiresOn"]
    assert int(renewed["expiresOn"][:4]) == int(first_expiry[:4]) + 1  # renewed by one year in between
    final = answers[-1]["certificateOrders"][0]
    assert (final["state"], final["rounds"]) == ("ISSUED", 3) and "BEGIN CERTIFICATE" in final["certificatePem"]
