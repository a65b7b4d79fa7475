"""Runs every example of docs/documents.md, in order, as the demo reseller `alpha`, after an invoice
was issued the way billing issues one; and makes the guide's picture of a rendered page."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pypdfium2

from comptoir import demo
from comptoir.documents.layout import Layout
from comptoir.documents.render import render_pdf
from comptoir.documents.samples import sample_invoice
from tests.docs.test_hosting_guide import STEP, dig, no_user_errors, substitute
from tests.documents.support import issue, pdf_text
from tests.factories import Actor

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "documents.md"
PICTURE = ROOT / "docs" / "images" / "invoice-page-1.png"


def steps() -> list[dict[str, Any]]:
    return [m.groupdict() for m in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]


async def test_every_example_of_the_documents_guide_runs_without_errors(client: Any, superuser_connection: Any) -> None:
    credentials = {c.username: c.password for c in demo.load()}
    row = superuser_connection.execute("SELECT seller_id FROM users WHERE username = 'alpha'").fetchone()
    issue(Actor(row[0], "alpha"), sample_invoice(language="fr"))
    examples = steps()
    assert len(examples) >= 4, "the guide lost its examples"
    token = await client.login("alpha", credentials["alpha"])
    saved: dict[str, str] = {}
    answers = []
    for number, step in enumerate(examples, 1):
        variables = json.loads(substitute(step["variables"], saved)) if step["variables"] else None
        result = await client.execute(substitute(step["query"], saved), variables, token=token)
        assert "errors" not in result, f"example {number}: {result['errors']}"
        assert no_user_errors(result["data"]) == [], f"example {number}: {result['data']}"
        answers.append(result["data"])
        for assignment in filter(None, (step["save"] or "").split(";")):
            name, _, path = (part.strip() for part in assignment.partition("="))
            saved[name] = str(dig(result, path))
    # the preview shows the layout just set; the download gives the stored bytes
    preview = next(a["invoiceLayoutPreview"] for a in answers if "invoiceLayoutPreview" in a)["pdfDataUrl"]
    assert "hosting since 1999" in pdf_text(base64.b64decode(preview.split(",", 1)[1]))[0]
    listed = answers[-1]["documents"]["edges"][0]["node"]
    parts = urlsplit(saved["downloadUrl"])
    response = await client.http.get(f"{parts.path}?{parts.query}")
    assert hashlib.sha256(response.content).hexdigest() == listed["sha256"]


def test_the_guide_shows_a_page_rendered_from_the_pdf() -> None:
    """Writes docs/images/invoice-page-1.png from the stock layout's PDF (pypdfium2, no poppler)."""
    pdf = pypdfium2.PdfDocument(render_pdf(sample_invoice(language="fr", several_rates=True), Layout()))
    image = pdf[0].render(scale=100 / 72).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    PICTURE.parent.mkdir(exist_ok=True)
    PICTURE.write_bytes(out.getvalue())
    assert PICTURE.read_bytes().startswith(b"\x89PNG") and image.size == (827, 1170)  # A4 at 100 dpi
    assert "(images/invoice-page-1.png)" in GUIDE.read_text(encoding="utf-8")
