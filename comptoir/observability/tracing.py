"""OpenTelemetry traces, only when configured (COMPTOIR_OTEL_EXPORTER_OTLP_ENDPOINT, or the standard
OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and the packages are installed
(`pip install comptoir[otel]`); otherwise nothing is imported and nothing is instrumented."""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import Any

from comptoir.settings import Settings

log = logging.getLogger("comptoir.tracing")
_configured = False


def endpoint(settings: Settings) -> str:
    return (settings.otel_exporter_otlp_endpoint or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
            or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def configure(settings: Settings, *, exporter: Any = None) -> bool:
    """Install a tracer provider exporting to the OTLP endpoint (or to `exporter`, for tests); False when
    tracing is not configured or the SDK is missing."""
    global _configured
    if _configured:
        return True
    if exporter is None and not endpoint(settings):
        return False
    if not _installed("opentelemetry.sdk"):
        log.warning("tracing configured but opentelemetry-sdk is not installed: no traces")
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "comptoir"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint(settings))))
    trace.set_tracer_provider(provider)
    _instrument_libraries()
    _configured = True
    return True


def _instrument_libraries() -> None:
    if _installed("opentelemetry.instrumentation.sqlalchemy"):
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument()
    if _installed("opentelemetry.instrumentation.celery"):
        from opentelemetry.instrumentation.celery import CeleryInstrumentor

        CeleryInstrumentor().instrument()


def instrument_app(app: Any, settings: Settings) -> None:
    """The Starlette app's requests become spans, when tracing is configured."""
    if configure(settings) and _installed("opentelemetry.instrumentation.starlette"):
        from opentelemetry.instrumentation.starlette import StarletteInstrumentor

        StarletteInstrumentor.instrument_app(app)
