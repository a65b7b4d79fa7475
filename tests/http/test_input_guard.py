"""The HTTP layer's own checks: media-type negotiation, body size, and the string guard on GraphQL input."""

from __future__ import annotations

import json

import pytest

from comptoir.http_graphql import GRAPHQL_RESPONSE, negotiate
from comptoir.http_input import JSON, MAX_BODY_BYTES, GraphQLParams, RequestError, check_strings

LIMIT = 100
LONG = "x" * (LIMIT + 1)
BRANDING = "mutation($input: BrandingInput!) { brandingUpdate(input: $input) { errors { code } } }"


def check(query: str, variables: dict | None = None) -> None:
    check_strings(GraphQLParams(query, None, variables, None), max_length=LIMIT, max_tokens=2000)


def refused(query: str, variables: dict | None = None) -> str:
    with pytest.raises(RequestError) as refusal:
        check(query, variables)
    assert (refusal.value.status, refusal.value.code) == (400, "BAD_USER_INPUT")
    return str(refusal.value)


@pytest.mark.parametrize("accept, media_type", [
    ("", JSON),
    ("*/*", JSON),
    ("application/*", JSON),
    ("application/json", JSON),
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
    (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
    (f"application/json;q=1, {GRAPHQL_RESPONSE};q=0.5", JSON),
    (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
    ("text/html, */*;q=0.8", JSON),
    ("text/html", None),
    ("application/json;q=0", None),
    ("application/json;q=oops", None),
])
def test_negotiation_follows_the_accept_header_qualities(accept, media_type):
    assert negotiate(accept) == media_type


def test_strings_within_the_limit_pass():
    check('{ resellers(filter: {search: "%s"}) { totalCount } }' % ("x" * LIMIT), {"a": {"b": ["x" * LIMIT]}})


@pytest.mark.parametrize("variables, where", [
    ({"name": LONG}, "'variables.name'"),
    ({"input": {"administrator": {"username": LONG}}}, "'variables.input.administrator.username'"),
    ({"input": {"tags": ["ok", LONG]}}, "'variables.input.tags[1]'"),
])
def test_a_long_variable_string_is_refused_with_its_path(variables, where):
    assert refused("query($name: String) { __typename }", variables) == (
        f"The variable value at {where} is longer than {LIMIT} characters.")


def test_a_long_literal_is_refused_with_its_position():
    message = refused('{\n  resellers(filter: {search: "LONG"}) { totalCount } }'.replace("LONG", LONG))
    assert message == f"The string at line 2, column 30 is longer than {LIMIT} characters."


def test_a_long_block_string_literal_is_refused():
    refused('{ resellers(filter: {search: """LONG""" }) { totalCount } }'.replace("LONG", LONG))


@pytest.mark.parametrize("query, variables", [
    (BRANDING, {"input": {"logoBase64": LONG}}),
    ('mutation { brandingUpdate(input: {logoBase64: "LONG"}) { errors { code } } }'.replace("LONG", LONG), None),
    ("mutation($logo: String) { brandingUpdate(input: {logoBase64: $logo}) { errors { code } } }", {"logo": LONG}),
    ("mutation($logos: [String!]) { f(imagesBase64: $logos) }", {"logos": [LONG, LONG]}),
])
def test_a_binary_payload_in_a_base64_field_is_not_held_to_the_string_limit(query, variables):
    check(query, variables)


@pytest.mark.parametrize("query, variables", [
    # a variable named like a payload is still a name here
    ("mutation($nameBase64: String) { resellerCreate(input: {name: $nameBase64}) { errors { code } } }",
     {"nameBase64": LONG}),
    # one variable passed both as a payload and as a name
    ("mutation($x: String) { brandingUpdate(input: {logoBase64: $x, name: $x}) { errors { code } } }",
     {"x": LONG}),
    # an alias named like a payload field
    ('{ logoBase64: resellers(filter: {search: "LONG"}) { totalCount } }'.replace("LONG", LONG), None),
])
def test_a_base64_name_exempts_only_the_value_given_to_that_field(query, variables):
    refused(query, variables)


@pytest.mark.parametrize("query, variables", [
    ("query($s: String) { __typename }", {"s": "a\x00b"}),
    ("query($s: String) { __typename }", {"input": {"logoBase64": "AAAA\x00"}}),
    ('{ resellers(filter: {search: "a\\u0000b"}) { totalCount } }', None),
    ('{ resellers(filter: {search: "a\\u{0}b"}) { totalCount } }', None),
    ('{ resellers(filter: {search: """a\x00b"""}) { totalCount } }', None),
])
def test_a_nul_character_is_refused_anywhere(query, variables):
    assert "NUL character" in refused(query, variables)


def test_a_document_the_lexer_cannot_read_is_left_to_the_parser():
    check('{ resellers(filter: {search: "' + LONG)  # unterminated string


async def test_a_body_declared_too_large_is_refused_unread(client):
    response = await client.http.post("/graphql", content=b"{}", headers={
        "content-type": "application/json", "content-length": str(MAX_BODY_BYTES + 1)})
    assert response.status_code == 413


async def test_a_streamed_body_is_refused_once_past_the_limit(client):
    async def chunks():
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    response = await client.http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_json_nested_beyond_the_parsers_recursion_limit_is_a_400(client, accept):
    nested = "[" * 100_000 + "]" * 100_000
    body = '{"query": "{ __typename }", "variables": {"a": ' + nested + "}}"
    response = await client.http.post("/graphql", content=body, headers={
        "content-type": "application/json", "accept": accept})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The request body is not valid JSON."


async def test_deeply_nested_variables_are_walked_without_recursion(client):
    nested: object = "x"
    for _ in range(500):
        nested = [nested]
    response = await client.http.post("/graphql", content=json.dumps(
        {"query": "query($a: String) { __typename }", "variables": {"a": nested}}),
        headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"].startswith("Variable '$a'")


async def test_a_basic_authorization_header_is_not_taken_for_a_bearer_token(client):
    response = await client.http.post("/graphql", json={"query": "{ me { username } }"},
                                      headers={"authorization": "Basic dXNlcjpwYXNz"})
    assert response.json() == {"data": {"me": None}}


@pytest.mark.parametrize("method, query, status, allow", [
    ("GET", "mutation { sessionDelete { errors { code } } }", 405, "POST"),
    ("GET", "subscription { anything }", 400, None),
    ("POST", "subscription { anything }", 400, None),
])
async def test_an_operation_the_method_cannot_carry_is_refused(client, method, query, status, allow):
    if method == "GET":
        response = await client.http.get("/graphql", params={"query": query}, headers={"accept": GRAPHQL_RESPONSE})
    else:
        response = await client.http.post("/graphql", json={"query": query}, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == status
    assert response.headers.get("allow") == allow
    assert "data" not in response.json()
