"""GraphQL over HTTP (the GraphQL-over-HTTP spec): GET and POST, media-type negotiation, status codes.

Status codes: a request that is not well-formed GraphQL over HTTP (bad JSON, missing or mistyped
parameters, wrong content type, oversized input) is a 4xx whatever the media type. A well-formed
request whose document fails to parse, validate or coerce its variables gets 400 with
application/graphql-response+json and 200 with application/json (legacy clients read `errors`), and
no `data` entry. A failure of the server itself before any data exists is a 500.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from graphql.language import Lexer, Source, Token, TokenKind
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from comptoir.database.engine import async_sessionmaker_for
from comptoir.schema.context import Context
from comptoir.schema.extensions import INTERNAL_ERROR
from comptoir.schema.root import schema
from comptoir.settings import get_settings
from comptoir.tenancy.client_address import client_address

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 1_000_000


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


def negotiate(accept_header: str) -> str | None:
    """The response media type for an Accept header; None when we can produce nothing acceptable.

    The highest quality wins; on a tie application/graphql-response+json, the spec's preferred type.
    """
    if not accept_header.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept_header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = next((_quality(p[2:]) for p in params if p.startswith("q=")), 1.0)
        produced = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}.get(
            media.lower())
        if produced is None or quality <= 0:
            continue
        candidate = (quality, produced == GRAPHQL_RESPONSE, produced)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


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
    return params_from_mapping(data)


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


def _json_response(payload: dict[str, Any], status: int, media_type: str,
                   headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type=f"{media_type}; charset=utf-8", headers=headers)


def _request_error_response(error: RequestError, media_type: str, request_id: str) -> Response:
    payload = {"errors": [{"message": str(error), "extensions": {"code": error.code}}]}
    return _json_response(payload, error.status, media_type, {**error.headers, "X-Request-Id": request_id})


def _client_address(request: Request) -> str:
    return client_address(request.client.host if request.client else "", request.headers.getlist("x-forwarded-for"))


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


async def graphql_endpoint(request: Request) -> Response:
    settings = get_settings()
    if request.method not in ("GET", "POST"):
        return Response(status_code=405, headers={"Allow": "GET, POST"})
    accept = request.headers.get("accept", "")
    if request.method == "GET" and settings.graphiql and "text/html" in accept and "query" not in request.query_params:
        return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
    media_type = negotiate(accept)
    if media_type is None:
        return Response("Accept application/graphql-response+json or application/json.", status_code=406)
    request_id = uuid.uuid4().hex
    try:
        params = params_from_query_string(request) if request.method == "GET" else await params_from_body(request)
        check_strings(params, max_length=settings.max_string_length, max_tokens=settings.max_query_tokens)
    except RequestError as error:
        return _request_error_response(error, media_type, request_id)
    allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
    context = Context(
        session_factory=async_sessionmaker_for(),
        token=_bearer_token(request),
        client_address=_client_address(request),
        user_agent=request.headers.get("user-agent", "")[:500],
        request_id=request_id,
    )
    try:
        result = await schema.execute(params.query, variable_values=params.variables, context_value=context,
                                      operation_name=params.operation_name, allowed_operation_types=allowed,
                                      operation_extensions=params.extensions)
    except InvalidOperationTypeError as error:
        refusal = (RequestError("Mutations are only accepted over POST.", 405, {"Allow": "POST"})
                   if error.operation_type is OperationType.MUTATION
                   else RequestError("Subscriptions are served over WebSocket (graphql-transport-ws)."))
        return _request_error_response(refusal, media_type, request_id)
    except CannotGetOperationTypeError as error:
        return _request_error_response(RequestError(error.as_http_error_reason()), media_type, request_id)
    return _result_response(result, media_type, request_id)


def _result_response(result: ExecutionResult, media_type: str, request_id: str) -> Response:
    errors = result.errors or []
    request_failed = result.data is None and bool(errors) and all(_before_execution(e) for e in errors)
    payload: dict[str, Any] = {}
    if errors:
        payload["errors"] = [e.formatted for e in errors]
    if not request_failed:
        payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    if not request_failed:
        status = 200
    elif any((e.extensions or {}).get("code") == INTERNAL_ERROR for e in errors):
        status = 500
    else:
        status = 400 if media_type == GRAPHQL_RESPONSE else 200
    return _json_response(payload, status, media_type, {"X-Request-Id": request_id})


def _before_execution(error: GraphQLError) -> bool:
    """Parse, validation and variable-coercion errors have no path: execution never started."""
    return not error.path
