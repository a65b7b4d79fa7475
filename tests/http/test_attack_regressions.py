"""Regressions of what attack tests found at the HTTP layer (issue 7, item 8): lone surrogates, noisy logs,
cache and sniffing headers, unnamed operations among several, introspection and GraphiQL settings."""

from __future__ import annotations

import logging

import httpx
import pytest

from comptoir.app import create_app
from comptoir.database.engine import async_sessionmaker_for
from comptoir.schema.context import Context
from comptoir.schema.root import build_schema
from comptoir.settings import get_settings
from tests import factories
from tests.conftest import LOGIN

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _raw(body: str) -> dict[str, object]:
    return {"content": body.encode(), "headers": {"content-type": "application/json", "accept": GRAPHQL_RESPONSE}}


@pytest.mark.parametrize("body", [
    ('{"query": "mutation Login($u: String!, $p: String!) { sessionCreate(input: {username: $u, password: $p})'
     ' { token } }", "variables": {"u": "\\ud800admin", "p": "x"}}'),
    ('{"query": "mutation Login($u: String!, $p: String!) { sessionCreate(input: {username: $u, password: $p})'
     ' { token } }", "variables": {"u": "admin", "p": "x", "\\udfff": 1}}'),
    '{"query": "{ __typename }", "operationName": "\\udc00"}',
    '{"query": "{ __typename } # \\udc00"}',
], ids=["variable value", "variable name", "operation name", "query text"])
async def test_a_lone_surrogate_is_refused_as_bad_input_not_an_internal_error(client, caplog, body):
    # given
    factories.provider("admin")
    # when
    with caplog.at_level(logging.WARNING):
        response = await client.http.post("/graphql", **_raw(body))
    # then
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "surrogate" in error["message"]
    assert caplog.records == []


async def test_a_surrogate_pair_is_ordinary_text(client):
    # when: "\ud83d\ude00" is one character (an emoji), valid everywhere
    response = await client.http.post("/graphql", **_raw(
        '{"query": "mutation($u: String!, $p: String!) { sessionCreate(input: {username: $u, password: $p})'
        ' { token errors { code } } }", "variables": {"u": "\\ud83d\\ude00", "p": "x"}}'))
    # then
    assert response.status_code == 200
    assert response.json()["data"]["sessionCreate"] == {"token": None, "errors": [{"code": "INVALID_CREDENTIALS"}]}


async def test_refused_fields_are_logged_at_info_in_one_line_each(client, caplog):
    # given about 1 KB of fields an anonymous client may not read
    query = "{ " + " ".join(f'r{i}: reseller(id: "UmVzZWxsZXI6MQ==") {{ name }}' for i in range(25)) + " }"
    assert 1000 < len(query) < 1500
    # when
    with caplog.at_level(logging.DEBUG, logger="comptoir"), caplog.at_level(logging.DEBUG, logger="strawberry"):
        response = await client.http.post("/graphql", json={"query": query})
    # then
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"] * 25
    records = [r for r in caplog.records if r.name.startswith(("comptoir", "strawberry"))]
    operation_lines = [r for r in records if r.name == "comptoir.graphql.operations"]
    assert len(operation_lines) == 1  # the operation's own access line
    records = [r for r in records if r not in operation_lines]
    assert len(records) == 25
    assert {r.levelno for r in records} == {logging.INFO}
    assert all(r.exc_info is None for r in records)
    assert sum(len(r.getMessage()) for r in records) < 3000


async def test_a_token_response_is_never_cached_and_no_response_is_sniffed(client):
    # given
    factories.provider("admin")
    # when
    login = await client.http.post("/graphql", json={"query": LOGIN, "variables": {"u": "admin",
                                                                                   "p": factories.PASSWORD}})
    refused = await client.http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    health = await client.http.get("/healthz")
    # then
    assert login.json()["data"]["sessionCreate"]["token"]
    for response in (login, refused):
        assert response.headers["cache-control"] == "no-store"
    for response in (login, refused, health):
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_several_operations_without_an_operation_name_are_refused(client):
    # given
    document = "query A { __typename } query B { viewer { __typename } }"
    # when
    refused = await client.http.post("/graphql", json={"query": document}, headers={"accept": GRAPHQL_RESPONSE})
    named = await client.http.post("/graphql", json={"query": document, "operationName": "B"})
    # then
    assert refused.status_code == 400
    assert refused.json() == {"errors": [
        {"message": "Must provide operation name if query contains multiple operations."}]}
    assert named.json() == {"data": {"viewer": None}}


INTROSPECTION = "{ __schema { queryType { name } } }"


async def _run(query: str):
    return await build_schema().execute(query, context_value=Context(session_factory=async_sessionmaker_for()))


async def test_introspection_can_be_turned_off(monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "introspection", False)
    # when
    closed = await _run(INTROSPECTION)
    typename = await _run("{ __typename }")
    # then
    assert closed.data is None and "introspection" in closed.errors[0].message.lower()
    assert typename.data == {"__typename": "Query"}
    monkeypatch.setattr(get_settings(), "introspection", True)
    assert (await _run(INTROSPECTION)).data == {"__schema": {"queryType": {"name": "Query"}}}


@pytest.mark.parametrize("enabled", [True, False])
async def test_graphiql_and_its_assets_follow_their_setting(monkeypatch, enabled):
    # given
    monkeypatch.setattr(get_settings(), "graphiql", enabled)
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        # when
        page = await http.get("/graphql", headers={"accept": "text/html"})
        script = await http.get("/static/graphiql/graphiql.min.js")
    # then
    if enabled:
        assert page.status_code == 200 and "/static/graphiql/graphiql.min.js" in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert script.status_code == 200 and script.headers["x-content-type-options"] == "nosniff"
    else:
        assert (page.status_code, script.status_code) == (406, 404)
