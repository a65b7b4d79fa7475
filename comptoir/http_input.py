"""What a GraphQL request asks for, read from a query string or a JSON body, and the checks on its strings.

A request that is not well-formed GraphQL over HTTP, or whose input we refuse to run, raises RequestError:
a 4xx whatever the response's media type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSyntaxError
from graphql.language import Lexer, Source, Token, TokenKind
from starlette.requests import Request

JSON = "application/json"

MAX_BODY_BYTES = 1_000_000
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class RequestError(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request, or whose input we refuse to run."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None,
                 code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.code = code


@dataclass(frozen=True)
class GraphQLParams:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


def _optional_map(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = data.get(name)
    if value is not None and not isinstance(value, dict):
        raise RequestError(f"The '{name}' parameter must be a map.")
    return value


def params_from_mapping(data: Any) -> GraphQLParams:
    if not isinstance(data, dict):
        raise RequestError("The request body must be a JSON object.")
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError("The 'query' parameter must be a non-empty string.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError("The 'operationName' parameter must be a string.")
    return GraphQLParams(query, operation_name, _optional_map(data, "variables"), _optional_map(data, "extensions"))


def params_from_query_string(request: Request) -> GraphQLParams:
    data: dict[str, Any] = dict(request.query_params)
    for name in ("variables", "extensions"):
        if name in data:
            try:
                data[name] = json.loads(data[name]) if data[name] else None
            except (json.JSONDecodeError, RecursionError):
                raise RequestError(f"The '{name}' parameter must be URL-encoded JSON.") from None
    return params_from_mapping(data)


async def params_from_body(request: Request) -> GraphQLParams:
    content_type = request.headers.get("content-type", "")
    media, *params = [p.strip().lower() for p in content_type.split(";")]
    if media != JSON:
        raise RequestError("Send the request as application/json.", status=415)
    charset = next((p.split("=", 1)[1].strip('"') for p in params if p.startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise RequestError("Only UTF-8 request bodies are accepted.", status=415)
    body = await _read_body(request)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise RequestError("The request body is not valid JSON.") from None
    params = params_from_mapping(data)
    if SURROGATE_ESCAPE.search(body):  # valid UTF-8 bytes cannot hold surrogates; only JSON escapes can
        refuse_surrogates(params)
    return params


async def _read_body(request: Request) -> bytes:
    """The body, refused as soon as it is known to pass MAX_BODY_BYTES (never buffered whole)."""
    too_large = RequestError(f"The request body is larger than {MAX_BODY_BYTES} bytes.", status=413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


BINARY_SUFFIX = "Base64"


def check_strings(params: GraphQLParams, *, max_length: int, max_tokens: int) -> None:
    """Refuse strings no service should see: longer than `max_length`, or holding NUL (PostgreSQL text).

    Binary payloads are exempt from the length limit (the body limit and their services bound them):
    by convention they travel in input fields and arguments named `*Base64`.
    """
    oversized = []
    for where, field, variable, value in _variable_strings(params.variables):
        if "\x00" in value:
            raise RequestError(f"The variable value at '{where}' contains a NUL character.", code="BAD_USER_INPUT")
        if len(value) > max_length and not (field or "").endswith(BINARY_SUFFIX):
            oversized.append((where, field, variable))
    query = params.query
    # Lexing costs more than the rest of this check: only documents that may hide a bad literal, or
    # that may pass a long variable as a binary payload, pay for it.
    if not oversized and len(query) <= max_length and "\x00" not in query and "\\u" not in query:
        return
    literals, binary_variables = _scan_document(query, max_tokens)
    for where, field, variable in oversized:
        if field is not None or variable not in binary_variables:
            raise RequestError(f"The variable value at '{where}' is longer than {max_length} characters.",
                               code="BAD_USER_INPUT")
    for where, value, binary in literals:
        if "\x00" in value:
            raise RequestError(f"{where} contains a NUL character.", code="BAD_USER_INPUT")
        if len(value) > max_length and not binary:
            raise RequestError(f"{where} is longer than {max_length} characters.", code="BAD_USER_INPUT")


def has_surrogates(text: str) -> bool:
    """Lone UTF-16 surrogates (JSON allows "\\ud800"): no UTF-8 encoder, PostgreSQL's included, takes them."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_surrogates(params: GraphQLParams) -> None:
    texts = [("The query", params.query), ("The operation name", params.operation_name or "")]
    pending: list[tuple[str, Any]] = [("variables", params.variables or {}), ("extensions", params.extensions or {})]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            texts.append((f"The value at '{where}'", value))
        elif isinstance(value, dict):
            for key, item in value.items():
                texts.append((f"A key in '{where}'", key))
                pending.append((f"{where}.{key}" if not has_surrogates(key) else where, item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
    for where, text in texts:
        if has_surrogates(text):
            raise RequestError(f"{where} is not valid Unicode (it holds a lone UTF-16 surrogate).",
                               code="BAD_USER_INPUT")


def _variable_strings(variables: dict[str, Any] | None) -> Iterator[tuple[str, str | None, str, str]]:
    """(path, input field holding it or None at the top, variable, value) of every string in the variables."""
    pending: list[tuple[str, str | None, str, Any]] = [
        (f"variables.{name}", None, name, value) for name, value in (variables or {}).items()]
    while pending:  # iterative: nesting depth is the client's choice
        where, field, variable, value = pending.pop()
        if isinstance(value, str):
            yield where, field, variable, value
        elif isinstance(value, dict):
            pending.extend((f"{where}.{key}", key, variable, item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", field, variable, item) for index, item in enumerate(value))


def _scan_document(query: str, max_tokens: int) -> tuple[list[tuple[str, str, bool]], set[str]]:
    """The document's string literals (where, value, passed as a binary payload?) and the variables used
    only as binary payloads (`logoBase64: $logo`)."""
    tokens: list[Token] = []
    lexer = Lexer(Source(query))
    try:
        while (token := lexer.advance()).kind != TokenKind.EOF:
            tokens.append(token)
            if len(tokens) > max_tokens:
                return [], set()  # parsing refuses the document for its size
    except GraphQLSyntaxError:
        return [], set()  # parsing reports it, with the usual message
    literals: list[tuple[str, str, bool]] = []
    binary_uses: set[str] = set()
    other_uses: set[str] = set()
    for index, token in enumerate(tokens):
        binary = (index >= 2 and tokens[index - 1].kind == TokenKind.COLON
                  and tokens[index - 2].kind == TokenKind.NAME
                  and str(tokens[index - 2].value).endswith(BINARY_SUFFIX))
        if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING):
            literals.append((f"The string at line {token.line}, column {token.column}", str(token.value), binary))
        elif token.kind == TokenKind.DOLLAR and index + 1 < len(tokens):
            name = str(tokens[index + 1].value)
            defined_here = index + 2 < len(tokens) and tokens[index + 2].kind == TokenKind.COLON
            if not defined_here:
                (binary_uses if binary else other_uses).add(name)
    return literals, binary_uses - other_uses


