"""GraphiQL works offline: the page, loaded in headless Chromium that can reach nothing but the server,
renders from the assets installed with the package, runs a query against /graphql and follows a
subscription over WebSocket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from comptoir.schema.ids import encode_id
from tests import factories
from tests.http.browser import Page, find_chromium, offline_page

CHROMIUM = find_chromium()
QUERY = 'mutation { sessionCreate(input: {username: "nobody", password: "wrong"}) { token errors { code } } }'
EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror')"
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror')"
HEADERS = "document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium found (apt-get install chromium, or set COMPTOIR_TEST_CHROMIUM)")


@pytest.fixture
def server(database: str, tmp_path: Path) -> Iterator[str]:
    from bench.servers import uvicorn

    env = {"COMPTOIR_GRAPHIQL": "true", "COMPTOIR_SUBSCRIPTION_POLL_INTERVAL_SECONDS": "0.05"}
    with uvicorn("comptoir.app:app", env=env, log=tmp_path / "uvicorn.log") as running:
        yield running.url


def _open_graphiql(page: Page, url: str) -> None:
    page.command("Page.navigate", url=url)
    page.wait_for(f"{EDITOR} !== null && document.querySelector('.graphiql-execute-button') !== null")


def _run(page: Page, query: str) -> None:
    page.evaluate(f"{EDITOR}.CodeMirror.setValue({json.dumps(query)})")
    # GraphiQL parses the editor's text after a short debounce: run what it has parsed, not the old text.
    page.evaluate("new Promise(resolve => setTimeout(resolve, 500))")
    page.evaluate("document.querySelector('.graphiql-execute-button').click()")


def _response_once_it_holds(page: Page, text: str) -> str:
    return page.wait_for(f"{RESPONSE} !== null && {RESPONSE}.CodeMirror.getValue().includes({json.dumps(text)})"
                         f" && {RESPONSE}.CodeMirror.getValue()")


def test_graphiql_runs_a_query_with_the_network_cut_off(server):
    origin = server.removesuffix("/graphql")
    with offline_page(CHROMIUM, origin) as page:
        # when
        _open_graphiql(page, server)
        _run(page, QUERY)
        shown = _response_once_it_holds(page, "sessionCreate")
        # then
        assert json.loads(shown) == {"data": {"sessionCreate": {"token": None,
                                                                "errors": [{"code": "INVALID_CREDENTIALS"}]}}}
        assert page.blocked == [], "the page tried to load something from elsewhere"
        assert page.exceptions == []
        assert page.evaluate("typeof GraphiQL.createFetcher") == "function"


def test_graphiql_follows_a_job_over_websocket_with_the_token_of_its_headers(server, superuser_connection):
    # given a reseller's running job
    alpha = factories.reseller(factories.provider("boss"), "Alpha Hosting", "alpha")
    token = factories.log_in(alpha)
    (job_id,) = superuser_connection.execute(
        "INSERT INTO background_jobs (seller_id, kind, total, status) VALUES (%s, 'plan_sync', 4, 'running')"
        " RETURNING id", (alpha.seller_id,)).fetchone()
    global_id = encode_id("BackgroundJob", job_id)
    subscription = f'subscription {{ backgroundJobUpdated(id: "{global_id}") {{ status done }} }}'
    headers = json.dumps({"Authorization": f"Bearer {token}"})
    with offline_page(CHROMIUM, server.removesuffix("/graphql")) as page:
        _open_graphiql(page, server)
        page.evaluate("Array.from(document.querySelectorAll('.graphiql-editor-tools button'))"
                      ".find(b => b.textContent === 'Headers').click()")
        page.wait_for(f"{HEADERS} !== null")
        page.evaluate(f"{HEADERS}.CodeMirror.setValue({json.dumps(headers)})")
        # when
        _run(page, subscription)
        running = _response_once_it_holds(page, '"status": "running"')
        superuser_connection.execute("UPDATE background_jobs SET status = 'done', done = 4 WHERE id = %s", (job_id,))
        done = _response_once_it_holds(page, '"status": "done"')
    # then
    assert json.loads(running) == {"data": {"backgroundJobUpdated": {"status": "running", "done": 0}}}
    assert json.loads(done) == {"data": {"backgroundJobUpdated": {"status": "done", "done": 4}}}
