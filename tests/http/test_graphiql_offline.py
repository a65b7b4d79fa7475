"""GraphiQL works offline: the page, loaded in headless Chromium that can reach nothing but the server,
renders from the assets installed with the package and runs a query against /graphql."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.browser import find_chromium, offline_page

CHROMIUM = find_chromium()
QUERY = 'mutation { sessionCreate(input: {username: "nobody", password: "wrong"}) { token errors { code } } }'
EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror')"
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror')"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium found (apt-get install chromium, or set COMPTOIR_TEST_CHROMIUM)")


@pytest.fixture
def server(database: str, tmp_path: Path) -> Iterator[str]:
    from bench.servers import uvicorn

    with uvicorn("comptoir.app:app", env={"COMPTOIR_GRAPHIQL": "true"}, log=tmp_path / "uvicorn.log") as running:
        yield running.url


def test_graphiql_runs_a_query_with_the_network_cut_off(server):
    origin = server.removesuffix("/graphql")
    with offline_page(CHROMIUM, origin) as page:
        # when
        page.command("Page.navigate", url=server)
        page.wait_for(f"{EDITOR} !== null && document.querySelector('.graphiql-execute-button') !== null")
        page.evaluate(f"{EDITOR}.CodeMirror.setValue({json.dumps(QUERY)})")
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        shown = page.wait_for(f"{RESPONSE} !== null && {RESPONSE}.CodeMirror.getValue().includes('sessionCreate')"
                              f" && {RESPONSE}.CodeMirror.getValue()")
        # then
        assert json.loads(shown) == {"data": {"sessionCreate": {"token": None,
                                                                "errors": [{"code": "INVALID_CREDENTIALS"}]}}}
        assert page.blocked == [], "the page tried to load something from elsewhere"
        assert page.exceptions == []
        assert page.evaluate("typeof GraphiQL.createFetcher") == "function"
