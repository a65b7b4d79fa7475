"""The graphql-http audit suite (GraphQL-over-HTTP spec conformance) against the real app under uvicorn."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
START_TIMEOUT_SECONDS = 30
AUDIT_TIMEOUT_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_url(database: str, tmp_path: Path) -> Iterator[str]:
    """The app under uvicorn in a subprocess, on the test database (conftest put its URLs in os.environ)."""
    port = _free_port()
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "comptoir.app:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"],
            env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process, log_path)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer {url} within {START_TIMEOUT_SECONDS}s:\n"
                f"{log_path.read_text(errors='replace')}")


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
