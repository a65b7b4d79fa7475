"""OpenTelemetry: nothing happens unless configured; configured, a request becomes a span. In a subprocess:
a tracer provider and instrumentation are process-wide and must not reach the rest of the suite."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from comptoir.observability import tracing
from comptoir.settings import Settings

pytest.importorskip("opentelemetry.sdk")
pytest.importorskip("opentelemetry.instrumentation.starlette")

SCRIPT = """
import asyncio, json
import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from comptoir.observability import tracing
from comptoir.settings import get_settings

exporter = InMemorySpanExporter()
assert tracing.configure(get_settings(), exporter=exporter)
from comptoir.app import create_app

async def main():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/healthz")).status_code == 200
asyncio.run(main())
print(json.dumps([span.name for span in exporter.get_finished_spans()]))
"""


def test_without_an_endpoint_tracing_is_not_configured(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing.configure(Settings(otel_exporter_otlp_endpoint="")) is False


def test_a_request_becomes_a_span_when_tracing_is_configured():
    completed = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                               check=False)
    assert completed.returncode == 0, completed.stderr
    spans = json.loads(completed.stdout.strip().splitlines()[-1])
    assert any("/healthz" in name for name in spans), spans
