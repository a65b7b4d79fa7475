"""PDF rendering, warm, in this process: a 3-line Factur-X invoice (the size most invoices have) and a
40-line one, each rendered `count` times after one unmeasured render. Wall time per PDF (median, p90)
and CPU time per PDF, hence PDFs per second per core. Nothing touches the database: what is timed is
`comptoir.documents.render.render_pdf`, the work of one `document_render` intent."""

from __future__ import annotations

import statistics
import time
from typing import Any

from comptoir.documents.layout import Layout
from comptoir.documents.render import render_pdf
from comptoir.documents.samples import sample_invoice

CASES = {"invoice-3-lines": {"line_count": 3, "several_rates": True},
         "invoice-40-lines": {"line_count": 40}}


def measure(count: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, shape in CASES.items():
        document = sample_invoice(language="fr", **shape)  # type: ignore[arg-type]
        size = len(render_pdf(document, Layout()))  # warm-up: fonts, templates, XSD
        walls = []
        cpu_start = time.process_time()
        for _ in range(count):
            started = time.perf_counter()
            render_pdf(document, Layout())
            walls.append(time.perf_counter() - started)
        cpu = (time.process_time() - cpu_start) / count
        walls.sort()
        results[name] = {"pdfs": count, "bytes": size, "median_ms": statistics.median(walls) * 1000,
                         "p90_ms": walls[int(0.9 * (count - 1))] * 1000, "cpu_ms": cpu * 1000,
                         "pdfs_per_second_per_core": 1 / cpu if cpu else None}
    return results


def print_table(results: dict[str, Any]) -> None:
    print(f"{'PDF render (warm)':<22}{'median ms':>11}{'p90 ms':>9}{'CPU ms':>9}{'PDFs/s/core':>13}{'bytes':>9}")
    for name, row in results.items():
        print(f"{name:<22}{row['median_ms']:>11.0f}{row['p90_ms']:>9.0f}{row['cpu_ms']:>9.0f}"
              f"{row['pdfs_per_second_per_core']:>13.1f}{row['bytes']:>9}")
