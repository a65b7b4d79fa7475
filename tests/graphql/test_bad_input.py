"""Bad input gets a typed error or a GraphQL error, never an internal error, and writes nothing."""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from comptoir.schema.ids import encode_id, parse_id
from comptoir.settings import get_settings
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

RESELLER_CREATE = """mutation Create($input: ResellerCreateInput!) {
  resellerCreate(input: $input) { reseller { id } errors { code field message } }
}"""
RESELLER_SUSPEND = """mutation Suspend($id: ID!) {
  resellerSuspend(input: {id: $id}) { reseller { id status } errors { code field message } }
}"""
SESSION_CREATE = """mutation Login($u: String!, $p: String!) {
  sessionCreate(input: {username: $u, password: $p}) { token errors { code field message } }
}"""
SESSION_REVOKE = """mutation Revoke($id: ID!) {
  sessionRevoke(input: {id: $id}) { session { id } errors { code field message } }
}"""
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
SESSIONS = "{ viewer { sessions { id } } }"
RESELLERS = """query Resellers($first: Int, $after: String, $sort: ResellerSortInput, $status: SellerStatus) {
  resellers(first: $first, after: $after, sort: $sort, filter: {status: $status}) {
    totalCount edges { cursor node { name } } pageInfo { hasNextPage }
  }
}"""
GRAPHQL_RESPONSE = "application/graphql-response+json"
LIMIT = get_settings().max_string_length


def reseller_input(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Gamma Hosting",
        "administrator": {"username": "gamma", "password": "gamma-password", "email": "gamma@g.test"},
    }
    return values | changes


def administrator(**changes: Any) -> dict[str, Any]:
    return reseller_input()["administrator"] | changes


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def random_letters(count: int) -> str:
    return "".join(random.choices(string.ascii_letters, k=count))


async def post(client: Any, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
               accept: str = "application/json") -> Any:
    headers = {"accept": accept}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


@pytest.fixture
def snapshot(superuser_connection) -> Callable[[], dict[str, str]]:
    """A fingerprint of every table's rows: equal before and after means nothing was written."""

    def take() -> dict[str, str]:
        tables = [row[0] for row in superuser_connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
        return {table: superuser_connection.execute(
            f'SELECT count(*) || \':\' || coalesce(md5(string_agg(t::text, \',\' ORDER BY t::text)), \'\')'
            f' FROM "{table}" t').fetchone()[0] for table in tables}

    return take


@pytest.fixture
async def provider_token(client) -> str:
    factories.provider("boss")
    return await client.login("boss", factories.PASSWORD)


def assert_no_internal_error(body: dict[str, Any]) -> None:
    codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors", [])]
    assert "INTERNAL_ERROR" not in codes, body


# Global ids

UNPARSABLE_IDS = ["", "nope", "!!!", "%00", "Zm9v", b64("Reseller:not-a-uuid"), b64(f"Reseller:{uuid.uuid4()}:extra"),
                  "A" * 5000]
MALFORMED_IDS = [*UNPARSABLE_IDS, b64(f"Martian:{uuid.uuid4()}")]


def test_only_ids_in_the_form_we_issue_parse():
    # given
    reseller_id = uuid.uuid4()
    issued = encode_id("Reseller", reseller_id)
    # then
    assert parse_id(issued) == parse_id(issued.rstrip("=")) == ("Reseller", reseller_id)
    for other_spelling in (f"urn:uuid:{reseller_id}", f"{{{reseller_id}}}", str(reseller_id).upper(),
                           reseller_id.hex):
        assert parse_id(b64(f"Reseller:{other_spelling}")) is None, other_spelling
    for garbage in [*UNPARSABLE_IDS, "!" + issued, "é" + issued, b64(f":{reseller_id}")]:
        assert parse_id(garbage) is None, garbage


async def test_node_with_a_malformed_id_is_null(client, provider_token):
    failures = []
    for node_id in MALFORMED_IDS:
        result = await client.execute(NODE, {"id": node_id}, token=provider_token)
        if result != {"data": {"node": None}}:
            failures.append(f"{node_id[:40]!r}: {result}")
    assert not failures, "\n".join(failures)


async def test_a_mutation_with_a_malformed_or_foreign_id_is_a_typed_error_and_writes_nothing(
        client, provider_token, snapshot):
    # given ids that are garbage, of another type (the provider's own user) or of no reseller
    me = await client.execute("{ me { id } }", token=provider_token)
    node_ids = [*MALFORMED_IDS, me["data"]["me"]["id"], encode_id("Reseller", uuid.uuid4())]
    before = snapshot()
    failures = []
    for node_id in node_ids:
        # when
        result = await client.execute(RESELLER_SUSPEND, {"id": node_id}, token=provider_token)
        # then
        payload = (result.get("data") or {}).get("resellerSuspend") or {}
        if payload.get("reseller", "") is not None or [(e["code"], e["field"]) for e in payload["errors"]] != [
                ("NOT_FOUND", "id")]:
            failures.append(f"{node_id[:40]!r}: {result}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


async def test_another_tenants_ids_read_as_nothing_and_cannot_be_acted_on(client, snapshot):
    # given alpha with a customer and a logged-in administrator; beta logged in
    provider = factories.provider("boss")
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    beta = factories.reseller(provider, "Beta Web", "beta")
    alpha_customer = factories.customer(alpha, "alicia")
    alpha_token = await client.login(alpha.username, factories.PASSWORD)
    beta_token = await client.login(beta.username, factories.PASSWORD)
    alpha_session = (await client.execute(SESSIONS, token=alpha_token))["data"]["viewer"]["sessions"][0]["id"]
    customer_id = encode_id("Customer", alpha_customer.customer_id)
    before = snapshot()
    # when
    node = await client.execute(NODE, {"id": customer_id}, token=beta_token)
    nodes = await client.execute(NODES, {"ids": [customer_id, alpha_session]}, token=beta_token)
    revoke = await client.execute(SESSION_REVOKE, {"id": alpha_session}, token=beta_token)
    # then
    assert node == {"data": {"node": None}}
    assert nodes == {"data": {"nodes": [None, None]}}
    assert revoke["data"]["sessionRevoke"]["session"] is None
    assert [e["code"] for e in revoke["data"]["sessionRevoke"]["errors"]] == ["NOT_FOUND"]
    assert snapshot() == before


# Variables of the wrong type, unknown enum values

WRONG_VARIABLES = {
    "name is a number": (RESELLER_CREATE, {"input": reseller_input(name=123)}),
    "administrator missing": (RESELLER_CREATE, {"input": {"name": "Gamma Hosting"}}),
    "boolean as a string": (RESELLER_CREATE, {"input": reseller_input(oversellingAllowed="yes")}),
    "limit is a float": (RESELLER_CREATE, {"input": reseller_input(limits=[{"resource": "DOMAINS", "limit": 1.5}])}),
    "limit beyond 32 bits": (RESELLER_CREATE, {"input": reseller_input(
        limits=[{"resource": "DOMAINS", "limit": 2**40}])}),
    "unknown resource": (RESELLER_CREATE, {"input": reseller_input(limits=[{"resource": "BOGUS", "limit": 1}])}),
    "unknown permission": (RESELLER_CREATE, {"input": reseller_input(permissions=["BOGUS"])}),
    "enum value in lower case": (RESELLERS, {"status": "active"}),
    "unknown status": (RESELLERS, {"status": "BOGUS"}),
    "unknown sort field": (RESELLERS, {"sort": {"field": "BOGUS"}}),
    "page size as text": (RESELLERS, {"first": "ten"}),
    "id as an object": (NODE, {"id": {"a": 1}}),
    "id list as a number": (NODES, {"ids": 7.5}),
    "date that is no date": (  # a scalar whose parser raises ValueError, not a GraphQLError
        "mutation Renew($d: Date) { subscriptionRenew(input: {id: \"x\", expirationDate: $d}) { __typename } }",
        {"d": "31/12/2026"}),
}


@pytest.mark.parametrize("accept, status", [("application/json", 200), (GRAPHQL_RESPONSE, 400)])
async def test_a_variable_of_the_wrong_type_is_a_request_error_and_writes_nothing(
        client, provider_token, snapshot, accept, status):
    before = snapshot()
    failures = []
    for case, (query, variables) in WRONG_VARIABLES.items():
        # when
        response = await post(client, query, variables, token=provider_token, accept=accept)
        # then
        body = response.json()
        if (response.status_code != status or "data" in body
                or not body["errors"][0]["message"].startswith("Variable '$")):
            failures.append(f"{case}: {response.status_code} {body}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


ENUM_LITERALS = [
    "{ resellers(sort: {field: BOGUS}) { totalCount } }",
    "{ resellers(filter: {status: active}) { totalCount } }",
    ('mutation { resellerCreate(input: {name: "G", administrator: {username: "g", password: "gamma-password",'
     ' email: "g@g.test"}, permissions: [BOGUS]}) { errors { code } } }'),
]


async def test_an_unknown_enum_literal_fails_validation_and_writes_nothing(client, provider_token, snapshot):
    before = snapshot()
    for query in ENUM_LITERALS:
        response = await post(client, query, token=provider_token, accept=GRAPHQL_RESPONSE)
        body = response.json()
        assert response.status_code == 400 and "data" not in body, body
        assert "enum" in body["errors"][0]["message"].lower(), body
    assert snapshot() == before


# Oversized and unstorable strings

async def test_a_megabyte_name_or_username_is_refused_before_parsing_and_writes_nothing(
        client, provider_token, snapshot):
    # given
    megabyte = "n" * 1_048_576
    before = snapshot()
    # when
    create = await post(client, RESELLER_CREATE, {"input": reseller_input(name=megabyte)}, token=provider_token)
    login = await post(client, SESSION_CREATE, {"u": megabyte, "p": "whatever-password"})
    # then
    for response in (create, login):
        assert response.status_code == 413
        assert response.json()["errors"][0]["message"] == "The request body is larger than 1000000 bytes."
    assert snapshot() == before


async def test_a_string_beyond_the_input_limit_is_a_clear_error_and_writes_nothing(
        client, provider_token, snapshot):
    # given
    long = "x" * (LIMIT + 1)
    literal = ('mutation { resellerCreate(input: {name: "LONG", administrator: {username: "gamma",'
               ' password: "gamma-password", email: "gamma@g.test"}}) { errors { code } } }').replace("LONG", long)
    cases = [
        (RESELLER_CREATE, {"input": reseller_input(name=long)}, "'variables.input.name'"),
        (SESSION_CREATE, {"u": long, "p": "whatever-password"}, "'variables.u'"),
        (literal, None, "line 1, column 41"),
    ]
    before = snapshot()
    for accept in ("application/json", GRAPHQL_RESPONSE):
        for query, variables, where in cases:
            # when
            response = await post(client, query, variables, token=provider_token, accept=accept)
            # then
            assert response.status_code == 400
            [error] = response.json()["errors"]
            assert error["extensions"] == {"code": "BAD_USER_INPUT"}
            assert where in error["message"] and f"longer than {LIMIT} characters" in error["message"]
    assert snapshot() == before


async def test_a_nul_character_is_refused_before_it_reaches_postgresql(client, provider_token, snapshot):
    # given
    cases = [
        (RESELLER_CREATE, {"input": reseller_input(name="Gamma\x00Hosting")}),
        (RESELLER_CREATE, {"input": reseller_input(administrator=administrator(fullName="\x00"))}),
        ('{ resellers(filter: {search: "a\\u0000b"}) { totalCount } }', None),
    ]
    before = snapshot()
    for query, variables in cases:
        # when
        response = await post(client, query, variables, token=provider_token)
        # then
        assert response.status_code == 400
        assert "NUL character" in response.json()["errors"][0]["message"]
    assert snapshot() == before


LONG_BUT_UNDER_THE_LIMIT = 5000
LONG_VALUES = [
    ({"name": "n" * LONG_BUT_UNDER_THE_LIMIT}, "INVALID_NAME", "name"),
    ({"email": "e" * LONG_BUT_UNDER_THE_LIMIT + "@g.test"}, "INVALID_EMAIL", "email"),
    ({"country": "C" * LONG_BUT_UNDER_THE_LIMIT}, "INVALID_COUNTRY", "country"),
    ({"administrator": administrator(username="u" * LONG_BUT_UNDER_THE_LIMIT)}, "INVALID_USERNAME",
     "administrator.username"),
    ({"administrator": administrator(email="e" * LONG_BUT_UNDER_THE_LIMIT + "@g.test")}, "INVALID_EMAIL",
     "administrator.email"),
    ({"administrator": administrator(password="p" * LONG_BUT_UNDER_THE_LIMIT)}, "PASSWORD_TOO_LONG",
     "administrator.password"),
]


async def test_a_long_value_under_the_input_limit_gets_a_typed_error_and_writes_nothing(
        client, provider_token, snapshot):
    before = snapshot()
    for changes, code, field in LONG_VALUES:
        result = await client.execute(RESELLER_CREATE, {"input": reseller_input(**changes)}, token=provider_token)
        payload = result["data"]["resellerCreate"]
        assert payload["reseller"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert snapshot() == before


async def test_a_long_company_or_full_name_gets_a_typed_error(client, provider_token, snapshot):
    before = snapshot()
    for changes in ({"companyName": "c" * LONG_BUT_UNDER_THE_LIMIT},
                    {"administrator": administrator(fullName="f" * LONG_BUT_UNDER_THE_LIMIT)}):
        result = await client.execute(RESELLER_CREATE, {"input": reseller_input(**changes)}, token=provider_token)
        payload = result["data"]["resellerCreate"]
        assert payload["reseller"] is None and payload["errors"], payload
    assert snapshot() == before


async def test_a_long_username_under_the_input_limit_cannot_log_in(client):
    factories.provider("boss")
    result = await client.execute(SESSION_CREATE, {"u": "u" * LONG_BUT_UNDER_THE_LIMIT, "p": "whatever-password"})
    assert result["data"]["sessionCreate"] == {
        "token": None, "errors": [{"code": "INVALID_CREDENTIALS", "field": None,
                                   "message": "Wrong username or password."}]}


async def test_a_long_random_username_under_the_input_limit_cannot_log_in(client):
    factories.provider("boss")
    result = await client.execute(SESSION_CREATE, {"u": random_letters(3000), "p": "whatever-password"})
    assert_no_internal_error(result)
    assert [e["code"] for e in result["data"]["sessionCreate"]["errors"]] == ["INVALID_CREDENTIALS"]


# Query limits

def _nested(depth: int) -> str:
    return "{ me " + "{ a " * depth + "{ b }" + " }" * depth + " }"


async def test_a_query_deeper_than_the_default_limit_is_refused(client):
    response = await post(client, _nested(get_settings().max_query_depth + 2), accept=GRAPHQL_RESPONSE)
    body = response.json()
    assert response.status_code == 400 and "data" not in body
    assert f"exceeds maximum operation depth of {get_settings().max_query_depth}" in str(body["errors"])


async def test_a_mutation_deeper_than_the_limit_does_not_run(client, provider_token, snapshot, monkeypatch):
    # given resellerCreate > reseller > allocation > limits > resource is 4 levels below the operation
    monkeypatch.setattr(get_settings(), "max_query_depth", 3)
    import comptoir.http_graphql
    from comptoir.schema.root import build_schema

    monkeypatch.setattr(comptoir.http_graphql, "schema", build_schema())  # limits are read at start-up
    query = RESELLER_CREATE.replace("reseller { id }", "reseller { allocation { limits { resource } } }")
    before = snapshot()
    # when
    response = await post(client, query, {"input": reseller_input()}, token=provider_token, accept=GRAPHQL_RESPONSE)
    # then
    body = response.json()
    assert response.status_code == 400 and "data" not in body
    assert [e["message"] for e in body["errors"]] == ["'Create' exceeds maximum operation depth of 3"]
    assert snapshot() == before


async def test_too_many_aliases_are_refused_and_nothing_runs(client, snapshot):
    # given
    factories.provider("boss")
    count = get_settings().max_query_aliases + 1
    logins = " ".join(f'a{i}: sessionCreate(input: {{username: "boss", password: "{factories.PASSWORD}"}})'
                      " { token }" for i in range(count))
    before = snapshot()
    # when
    response = await post(client, f"mutation {{ {logins} }}", accept=GRAPHQL_RESPONSE)
    # then
    body = response.json()
    assert response.status_code == 400 and "data" not in body
    assert [e["message"] for e in body["errors"]] == [f"{count} aliases found. Allowed: {count - 1}"]
    assert snapshot() == before


async def test_too_many_tokens_are_refused(client):
    count = get_settings().max_query_tokens
    response = await post(client, "{ " + "__typename " * count + "}", accept=GRAPHQL_RESPONSE)
    body = response.json()
    assert response.status_code == 400 and "data" not in body
    assert f"Document contains more than {count} tokens" in body["errors"][0]["message"]


# Pagination

async def test_a_page_size_beyond_the_maximum_is_clamped(client, monkeypatch):
    # given three resellers and pages of at most two
    provider = factories.provider("boss")
    for name in ("Alpha", "Beta", "Gamma"):
        factories.reseller(provider, name, name.lower())
    monkeypatch.setattr(get_settings(), "max_page_size", 2)
    token = await client.login("boss", factories.PASSWORD)
    for first, edges in [(1000, 2), (None, 2), (2**31 - 1, 2), (-5, 0)]:
        # when
        result = await client.execute(RESELLERS, {"first": first}, token=token)
        # then
        page = result["data"]["resellers"]
        assert (len(page["edges"]), page["totalCount"], page["pageInfo"]["hasNextPage"]) == (edges, 3, True), first


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


INVALID_CURSORS = [
    "garbage", "!!!", "=", _cursor(None), _cursor([1, 2, 3]), _cursor(["x", "y"]), _cursor({"a": 1}),
    _cursor([12345, str(uuid.uuid4())]), _cursor(["2026-01-01T00:00:00", "not-a-uuid"]),
]


async def test_an_invalid_cursor_is_a_typed_graphql_error(client, provider_token):
    failures = []
    for sort in (None, {"field": "NAME"}, {"field": "STATUS", "direction": "DESC"}):
        for cursor in INVALID_CURSORS:
            result = await client.execute(RESELLERS, {"after": cursor, "sort": sort}, token=provider_token)
            errors = result.get("errors", [])
            if result.get("data") is not None or [(e["message"], e["extensions"]) for e in errors] != [
                    ("Invalid cursor.", {"code": "BAD_USER_INPUT", "reason": "INVALID", "field": "after"})]:
                failures.append(f"{cursor!r} sorted by {sort}: {result}")
    assert not failures, "\n".join(failures)


async def test_a_cursor_hiding_a_nul_character_is_a_typed_graphql_error(client, provider_token):
    cursor = _cursor(["\x00", str(uuid.uuid4())])
    result = await client.execute(RESELLERS, {"after": cursor, "sort": {"field": "NAME"}}, token=provider_token)
    assert_no_internal_error(result)
    assert result["errors"][0]["message"] == "Invalid cursor."
