"""/metrics exposes the operations series and GraphQL calls move them; log lines carry the request's
id, seller, role and operation."""

from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client import REGISTRY

from comptoir.observability import logs
from comptoir.settings import Settings, get_settings
from tests import factories

TOKEN = "metrics-token-for-tests"
SERIES = ("comptoir_http_request_duration_seconds", "comptoir_graphql_operation_duration_seconds",
          "comptoir_graphql_errors_total", "comptoir_intents_due", "comptoir_intents_oldest_due_seconds",
          "comptoir_scheduled_events_lag_seconds", "comptoir_database_pool_connections",
          "comptoir_celery_tasks_total")
BAD_LOGIN = """mutation BadLogin { sessionCreate(input: {username: "nobody", password: "wrong-password"}) {
  token errors { code } } }"""
PLANS = "query ListPlans { plans(first: 5) { totalCount } }"


@pytest.fixture
def metrics_token(monkeypatch):
    monkeypatch.setattr(get_settings(), "metrics_token", TOKEN)


def _sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_need_the_bearer_token(client, metrics_token):
    assert (await client.http.get("/metrics")).status_code == 404
    assert (await client.http.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 404


async def test_metrics_expose_every_series(client, metrics_token):
    # given one GraphQL call, so that the labelled series have a sample, and one Celery task outcome
    from comptoir.observability.metrics import TASKS

    TASKS.labels("comptoir.tick", "success").inc(0)
    await client.execute(BAD_LOGIN)
    # when
    response = await client.http.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    # then
    assert response.status_code == 200
    missing = [name for name in SERIES if name not in response.text]
    assert not missing, missing
    assert 'comptoir_intents_due{kind="provisioning"}' in response.text


async def test_a_graphql_call_moves_latency_and_error_counters(client):
    # given
    errors = {"operation": "BadLogin", "code": "INVALID_CREDENTIALS", "kind": "payload"}
    latency = {"operation": "BadLogin", "type": "mutation"}
    http = {"method": "POST", "route": "/graphql", "status": "200"}
    before = (_sample("comptoir_graphql_errors_total", errors),
              _sample("comptoir_graphql_operation_duration_seconds_count", latency),
              _sample("comptoir_http_request_duration_seconds_count", http))
    # when
    result = await client.execute(BAD_LOGIN)
    # then
    assert result["data"]["sessionCreate"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    after = (_sample("comptoir_graphql_errors_total", errors),
             _sample("comptoir_graphql_operation_duration_seconds_count", latency),
             _sample("comptoir_http_request_duration_seconds_count", http))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]


async def test_top_level_errors_are_counted_by_code(client):
    labels = {"operation": "Broken", "code": "GRAPHQL_ERROR", "kind": "top"}
    before = _sample("comptoir_graphql_errors_total", labels)
    await client.execute("query Broken { noSuchField }")
    assert _sample("comptoir_graphql_errors_total", labels) == before + 1


async def test_a_requests_log_lines_carry_its_request_id_seller_role_and_operation(client):
    # given a reseller's staff logged in, and the JSON handler on the root logger
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha", "alpha")
    token = await client.login("alpha", factories.PASSWORD)
    stream = io.StringIO()
    handler = logs.handler(Settings(log_format="json"), stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        # when
        response = await client.http.post("/graphql", json={"query": PLANS},
                                          headers={"authorization": f"Bearer {token}", "x-request-id": "req-42"})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    # then
    assert response.status_code == 200, response.text
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    operation = [line for line in lines if line["logger"] == "comptoir.graphql.operations"]
    assert len(operation) == 1, lines
    entry = operation[0]
    assert entry["request_id"] and entry["request_id"] == _request_id(response)
    assert (entry["seller_id"], entry["role"], entry["operation"]) == (str(alpha.seller_id), "reseller",
                                                                      "ListPlans")
    assert {"time", "level", "message"} <= set(entry)


def _request_id(response) -> str:
    return response.headers.get("x-request-id", "") or response.json().get("extensions", {}).get("requestId", "")


def test_an_exception_is_logged_with_its_traceback_in_one_json_line():
    stream = io.StringIO()
    logger = logging.getLogger("comptoir.test.json")
    logger.addHandler(logs.handler(Settings(log_format="json"), stream))
    try:
        raise ValueError("boom")
    except ValueError:
        logger.error("failed", exc_info=True)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "failed" and "ValueError: boom" in entry["exception"]


WORKER_SCRIPT = """
import multiprocessing, os, sys, tempfile, urllib.request
directory = tempfile.mkdtemp()
os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
from comptoir.observability import metrics

def task_in_a_child():
    metrics.TASKS.labels("comptoir.perform_intent", "failure").inc()

metrics.serve_worker_metrics(int(sys.argv[1]), directory)
child = multiprocessing.get_context("fork").Process(target=task_in_a_child)
child.start(); child.join()
print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics").read().decode())
"""


def test_a_worker_serves_the_task_counters_of_its_child_processes():
    import subprocess
    import sys

    from tests.tenancy.support import free_port

    completed = subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(free_port())], capture_output=True,
                               text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    assert 'comptoir_celery_tasks_total{state="failure",task="comptoir.perform_intent"} 1.0' in completed.stdout
