"""The graphql-http audit suite (GraphQL-over-HTTP spec conformance) against the real app under uvicorn."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
AUDIT_TIMEOUT_SECONDS = 120


@pytest.fixture
def server_url(database: str, tmp_path: Path) -> Iterator[str]:
    """The app under uvicorn in a subprocess, on the test database (conftest put its URLs in os.environ)."""
    from bench.servers import uvicorn

    with uvicorn("comptoir.app:app", env={}, log=tmp_path / "uvicorn.log") as server:
        yield server.url


def _run_audit(url: str) -> dict:
    if not (HERE / "node_modules" / "graphql-http").is_dir():
        pytest.fail("tests/http/node_modules is missing: run `make node-deps` (npm install in tests/http)")
    completed = subprocess.run(["node", str(HERE / "audit.mjs"), url], capture_output=True, text=True,
                               timeout=AUDIT_TIMEOUT_SECONDS, cwd=HERE, check=False)
    assert completed.returncode == 0, f"audit.mjs failed:\n{completed.stderr}"
    return json.loads(completed.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the graphql-http audit needs it")
def test_graphql_endpoint_passes_every_graphql_http_audit(server_url):
    # when
    report = _run_audit(server_url)
    # then
    failed = [r for r in report["results"] if r["status"] != "ok"]
    details = "\n".join(
        f"{r['id']} [{r['status']}] {r['name']}: {r['reason']} (got {r['responseStatus']}, "
        f"{r['responseContentType']}) {r['responseBody'] or ''}"
        for r in failed
    )
    summary = report["summary"]
    assert summary["error"] == 0 and summary["warn"] == 0, f"{summary}\n{details}"
    assert summary["ok"] > 0, report
