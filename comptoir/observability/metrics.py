"""Prometheus metrics at /metrics (bearer token: COMPTOIR_METRICS_TOKEN; empty: not served).

Counters and histograms are moved by the HTTP middleware, the GraphQL extension and Celery's signals;
the backlog (intents due per kind, the oldest one's age, scheduled-event lag) and the database pools
are read when Prometheus scrapes. The backlog is an instance-wide question the app role may not ask of
one table: the relay's id-only definer functions name the sellers with due work, then one aggregate
per such seller runs in its own tenant context (no new definer function: cost grows with the sellers
that have due work, which is few when the workers keep up).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Scope

from comptoir.http_middleware import HttpMiddleware
from comptoir.settings import get_settings

HTTP_LATENCY = Histogram("comptoir_http_request_duration_seconds", "HTTP request latency.",
                         ["method", "route", "status"])
GRAPHQL_LATENCY = Histogram("comptoir_graphql_operation_duration_seconds", "GraphQL operation latency.",
                            ["operation", "type"])
GRAPHQL_ERRORS = Counter("comptoir_graphql_errors", "GraphQL errors: top-level codes and payload errors[].code.",
                         ["operation", "code", "kind"])
TASKS = Counter("comptoir_celery_tasks", "Celery tasks finished, by name and state.", ["task", "state"])


# ---- HTTP ---------------------------------------------------------------------------------------

class HttpMetrics(HttpMiddleware):
    """Latency of every HTTP request by route template (not raw path: ids would explode the series)."""

    def on_response_start(self, scope: Scope, message: Message) -> None:
        scope["comptoir.status"] = message["status"]

    async def around(self, scope: Scope, call: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        try:
            await call()
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            status = str(scope.get("comptoir.status", 500))
            HTTP_LATENCY.labels(scope["method"], route, status).observe(time.perf_counter() - started)


# ---- GraphQL ------------------------------------------------------------------------------------

def error_codes(result: Any) -> Iterator[tuple[str, str]]:
    """(kind, code) of each error of an execution result: "top" for result.errors, "payload" for each
    `errors[].code` found in the data (mutation payloads)."""
    for error in getattr(result, "errors", None) or []:
        yield "top", str((error.extensions or {}).get("code") or "GRAPHQL_ERROR")
    yield from (("payload", code) for code in _payload_codes(getattr(result, "data", None)))


def _payload_codes(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "errors" and isinstance(value, list):
                yield from (str(e.get("code")) for e in value if isinstance(e, dict) and e.get("code"))
            else:
                yield from _payload_codes(value)
    elif isinstance(data, list):
        for item in data:
            yield from _payload_codes(item)


def observe_operation(*, operation: str, kind: str, seconds: float, result: Any) -> None:
    GRAPHQL_LATENCY.labels(operation, kind).observe(seconds)
    for error_kind, code in error_codes(result):
        GRAPHQL_ERRORS.labels(operation, code, error_kind).inc()


# ---- Celery -------------------------------------------------------------------------------------

def install_celery_signals() -> None:
    from celery.signals import task_failure, task_success

    task_success.connect(lambda sender=None, **_: TASKS.labels(sender.name, "success").inc(), weak=False)
    task_failure.connect(lambda sender=None, **_: TASKS.labels(sender.name, "failure").inc(), weak=False)


# ---- scraped on demand ----------------------------------------------------------------------------

class BacklogCollector(Collector):
    def describe(self) -> Iterable[GaugeMetricFamily]:
        """Names only: registering must not read the database (collect would)."""
        return [GaugeMetricFamily(name, "", labels=[]) for name in (
            "comptoir_intents_due", "comptoir_intents_oldest_due_seconds", "comptoir_scheduled_events_lag_seconds",
            "comptoir_database_pool_connections")]

    def collect(self) -> Iterable[GaugeMetricFamily]:
        depth = GaugeMetricFamily("comptoir_intents_due", "Intents due (pending or running, attempt time "
                                  "passed), per intent kind.", labels=["kind"])
        age = GaugeMetricFamily("comptoir_intents_oldest_due_seconds", "How long the oldest due intent of "
                                "each kind has waited past its attempt time.", labels=["kind"])
        for kind, count, oldest in intent_backlog():
            depth.add_metric([kind], count)
            age.add_metric([kind], oldest)
        lag = GaugeMetricFamily("comptoir_scheduled_events_lag_seconds",
                                "now - run_at of the oldest due scheduled event (0: none due).")
        lag.add_metric([], event_lag())
        yield from (depth, age, lag)
        yield from pool_metrics()


def intent_backlog() -> list[tuple[str, int, float]]:
    from comptoir.automation import intents
    from comptoir.database.engine import session_scope

    rows = []
    for kind in intents.kinds():
        count, oldest = 0, 0.0
        model = kind.model
        for seller_id in intents._sellers_with_due(kind):
            with session_scope(intents.system_context(seller_id)) as session:
                n, age = session.execute(select(
                    func.count(), func.extract("epoch", func.now() - func.min(model.next_attempt_at))
                ).where(model.status.in_(("pending", "running")), model.next_attempt_at <= func.now())).one()
            count, oldest = count + n, max(oldest, float(age or 0))
        rows.append((kind.name, count, oldest))
    return rows


def event_lag() -> float:
    from comptoir.automation import events, intents
    from comptoir.automation.models import ScheduledEvent
    from comptoir.database.engine import session_scope

    by_seller: dict[Any, list[Any]] = {}
    for seller_id, event_id in events._due_events():
        by_seller.setdefault(seller_id, []).append(event_id)
    lag = 0.0
    for seller_id, ids in by_seller.items():
        with session_scope(intents.system_context(seller_id)) as session:
            seconds = session.scalar(select(func.extract("epoch", func.now() - func.min(ScheduledEvent.run_at)))
                                     .where(ScheduledEvent.id.in_(ids)))
        lag = max(lag, float(seconds or 0))
    return lag


def pool_metrics() -> Iterator[GaugeMetricFamily]:
    from comptoir.database.engine import async_engine, sync_engine

    family = GaugeMetricFamily("comptoir_database_pool_connections", "Database pool connections by state.",
                               labels=["engine", "state"])
    for name, pool in (("async", async_engine().pool), ("sync", sync_engine().pool)):
        for state in ("size", "checkedout", "checkedin", "overflow"):
            reader = getattr(pool, state, None)
            if reader is not None:
                family.add_metric([name, state], float(reader()))
    yield family


def serve_worker_metrics(port: int, directory: str) -> None:
    """A Celery worker's task counters: its prefork children count in files under `directory`
    (PROMETHEUS_MULTIPROC_DIR, set before prometheus_client was imported), this server sums them."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    start_http_server(port, registry=registry)


_collector: BacklogCollector | None = None


def install_collector() -> None:
    global _collector
    if _collector is None:
        _collector = BacklogCollector()
        REGISTRY.register(_collector)


async def metrics_endpoint(request: Request) -> Response:
    token = get_settings().metrics_token
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return PlainTextResponse("Not Found", status_code=404)
    body = await asyncio.to_thread(generate_latest, REGISTRY)  # the backlog reads the database
    return Response(body, media_type=CONTENT_TYPE_LATEST)
