"""GraphQL over HTTP (the GraphQL-over-HTTP spec): GET and POST, media-type negotiation, status codes.

Status codes: a request that is not well-formed GraphQL over HTTP (bad JSON, missing or mistyped
parameters, wrong content type, oversized input) is a 4xx whatever the media type. A well-formed
request whose document fails to parse, validate or coerce its variables gets 400 with
application/graphql-response+json and 200 with application/json (legacy clients read `errors`), and
no `data` entry. A failure of the server itself before any data exists is a 500; the database out of
reach or too slow, or the request past its deadline, a 503 (the client may retry).

What the request asks for is read by comptoir.http_input (JSON, query string) and comptoir.http_uploads
(multipart file uploads); WebSocket is comptoir.websocket.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from contextlib import AsyncExitStack
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from comptoir.database.engine import async_sessionmaker_for
from comptoir.graphiql import graphiql_page
from comptoir.http_input import (
    JSON,
    GraphQLParams,
    RequestError,
    check_strings,
    params_from_body,
    params_from_query_string,
)
from comptoir.http_uploads import is_multipart, multipart_params
from comptoir.i18n.negotiation import REQUEST_LOCALE, resolve_locale
from comptoir.schema.context import Context
from comptoir.schema.extensions import INTERNAL_ERROR, SERVICE_UNAVAILABLE
from comptoir.schema.root import schema
from comptoir.settings import get_settings
from comptoir.tenancy.client_address import client_address

GRAPHQL_RESPONSE = "application/graphql-response+json"
log = logging.getLogger("comptoir.http")


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


def _json_response(payload: dict[str, Any], status: int, media_type: str,
                   headers: dict[str, str] | None = None) -> Response:
    try:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate quoted back in a message: \u escapes are valid JSON
        body = json.dumps(payload, separators=(",", ":")).encode("ascii")
    # GraphQL responses are per user (some carry session tokens): no cache may keep them.
    headers = {"Cache-Control": "no-store", **(headers or {})}
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
        return graphiql_page(request)
    media_type = negotiate(accept)
    if media_type is None:
        return Response("Accept application/graphql-response+json or application/json.", status_code=406)
    request_id = uuid.uuid4().hex
    try:
        async with AsyncExitStack() as files:
            params = await _read_params(request, files, settings.skeleton_max_upload_bytes)
            check_strings(params, max_length=settings.max_string_length, max_tokens=settings.max_query_tokens)
            result = await _execute(request, params, request_id, settings.request_timeout_seconds)
    except RequestError as error:
        return _request_error_response(error, media_type, request_id)
    return _result_response(result, media_type, request_id)


async def _read_params(request: Request, files: AsyncExitStack, max_upload_bytes: int) -> GraphQLParams:
    """The request's parameters; uploaded files (multipart) stay open until `files` closes."""
    if request.method == "GET":
        return params_from_query_string(request)
    if is_multipart(request):
        return await files.enter_async_context(multipart_params(request, max_bytes=max_upload_bytes))
    return await params_from_body(request)


def request_context(*, token: str | None, client_address: str, user_agent: str, request_id: str,
                    accept_language: str = "") -> Context:
    REQUEST_LOCALE.set(resolve_locale(accept=accept_language[:500]))
    return Context(session_factory=async_sessionmaker_for(), token=token, client_address=client_address,
                   user_agent=user_agent[:500], request_id=request_id, accept_language=accept_language[:500])


async def _execute(request: Request, params: GraphQLParams, request_id: str, deadline: float) -> ExecutionResult:
    allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
    context = request_context(token=_bearer_token(request), client_address=_client_address(request),
                              user_agent=request.headers.get("user-agent", ""), request_id=request_id,
                              accept_language=request.headers.get("accept-language", ""))
    # Set by the ingress (e.g. from GeoIP); read by the storefront's fraud rule only.
    context.client_country = request.headers.get(get_settings().client_country_header, "").strip()[:2].upper()
    try:
        async with asyncio.timeout(deadline):  # its transaction is rolled back, its statement cancelled
            return await schema.execute(params.query, variable_values=params.variables, context_value=context,
                                        operation_name=params.operation_name, allowed_operation_types=allowed,
                                        operation_extensions=params.extensions)
    except TimeoutError:
        log.warning("request %s passed its deadline of %s s", request_id, deadline)
        raise RequestError(f"The request did not complete within {deadline:g} seconds.", 503,
                           {"Retry-After": "5"}, code=SERVICE_UNAVAILABLE) from None
    except InvalidOperationTypeError as error:
        raise (RequestError("Mutations are only accepted over POST.", 405, {"Allow": "POST"})
               if error.operation_type is OperationType.MUTATION
               else RequestError("Subscriptions are served over WebSocket (graphql-transport-ws).")) from None
    except CannotGetOperationTypeError as error:
        raise RequestError(error.as_http_error_reason()) from None


def _result_response(result: ExecutionResult, media_type: str, request_id: str) -> Response:
    errors = result.errors or []
    codes = {(e.extensions or {}).get("code") for e in errors}
    request_failed = result.data is None and bool(errors) and all(_before_execution(e) for e in errors)
    payload: dict[str, Any] = {}
    if errors:
        payload["errors"] = [e.formatted for e in errors]
    if not request_failed:
        payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    headers = {"X-Request-Id": request_id}
    if result.data is None and SERVICE_UNAVAILABLE in codes:
        status, headers["Retry-After"] = 503, "5"  # a database outage: nothing ran, the client may retry
    elif not request_failed:
        status = 200
    elif INTERNAL_ERROR in codes:
        status = 500
    else:
        status = 400 if media_type == GRAPHQL_RESPONSE else 200
    return _json_response(payload, status, media_type, headers)


def _before_execution(error: GraphQLError) -> bool:
    """Parse, validation and variable-coercion errors have no path: execution never started."""
    return not error.path
