"""GraphQL over HTTP (the GraphQL-over-HTTP spec): GET and POST, media-type negotiation, status codes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.types.graphql import OperationType

from comptoir.database.engine import async_sessionmaker_for
from comptoir.schema.context import Context
from comptoir.schema.root import schema
from comptoir.settings import get_settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 1_000_000


class RequestError(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class GraphQLParams:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


def negotiate(accept_header: str) -> str | None:
    """The response media type for an Accept header; None when we can produce nothing acceptable."""
    if not accept_header.strip():
        return JSON
    accepted = []
    for part in accept_header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = next((float(p[2:]) for p in params if p.startswith("q=") and _is_float(p[2:])), 1.0)
        if quality > 0:
            accepted.append(media.lower())
    if GRAPHQL_RESPONSE in accepted:
        return GRAPHQL_RESPONSE
    if JSON in accepted or "*/*" in accepted or "application/*" in accepted:
        return JSON
    return None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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
            except json.JSONDecodeError:
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
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise RequestError("The request body is too large.", status=413)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RequestError("The request body is not valid JSON.") from None
    return params_from_mapping(data)


def _json_response(payload: dict[str, Any], status: int, media_type: str,
                   headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type=f"{media_type}; charset=utf-8", headers=headers)


def _request_error_response(error: RequestError, media_type: str) -> Response:
    # With application/json, legacy clients expect 200 and an errors list (spec §6.4.1).
    status = error.status if media_type == GRAPHQL_RESPONSE or error.status != 400 else 200
    return _json_response({"errors": [{"message": str(error)}]}, status, media_type, error.headers)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


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
    try:
        params = params_from_query_string(request) if request.method == "GET" else await params_from_body(request)
    except RequestError as error:
        return _request_error_response(error, media_type)
    allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
    context = Context(
        session_factory=async_sessionmaker_for(),
        token=_bearer_token(request),
        client_address=_client_address(request),
        user_agent=request.headers.get("user-agent", "")[:500],
    )
    try:
        result = await schema.execute(params.query, variable_values=params.variables, context_value=context,
                                      operation_name=params.operation_name, allowed_operation_types=allowed,
                                      operation_extensions=params.extensions)
    except InvalidOperationTypeError:
        return _request_error_response(
            RequestError("Mutations are only accepted over POST.", 405, {"Allow": "POST"}), media_type)
    except (MissingQueryError, CannotGetOperationTypeError) as error:
        return _request_error_response(RequestError(str(error) or "No operation to run."), media_type)
    payload: dict[str, Any] = {}
    request_failed = result.data is None and all(_is_request_error(e) for e in result.errors or [])
    if result.errors:
        payload["errors"] = [e.formatted for e in result.errors]
    if not request_failed:
        payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    status = 400 if request_failed and media_type == GRAPHQL_RESPONSE else 200
    return _json_response(payload, status, media_type, {"X-Request-Id": context.request_id})


def _is_request_error(error: GraphQLError) -> bool:
    """Parse, validation and variable-coercion errors have no path: execution never started."""
    return not error.path
