"""GraphQL over WebSocket at /graphql, by the graphql-transport-ws protocol (Strawberry's implementation).

The client sends its bearer token in the connection_init payload ({"authorization": "Bearer …"}); an
invalid token closes the socket (4403). Every operation then gets a Context of its own, so one
transaction per operation as over HTTP: the OperationTransaction extension authenticates the token
again for each operation (a revoked session stops new ones), and a subscription releases its
transaction before it streams (its events are read in short transactions of their own).
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.aio import aclosing

from comptoir.database.engine import async_sessionmaker_for
from comptoir.http_input import GraphQLParams, RequestError, check_strings, has_surrogates, refuse_surrogates
from comptoir.schema.context import Context
from comptoir.schema.root import schema
from comptoir.settings import get_settings
from comptoir.tenancy import auth
from comptoir.tenancy import context as tenant

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)
MAX_OPERATIONS_PER_CONNECTION = 20


@dataclass
class Connection:
    """What one WebSocket connection knows of its client; each operation gets a Context made from it."""

    client_address: str
    user_agent: str
    connection_params: dict[str, Any] | None = None

    @property
    def token(self) -> str | None:
        params = {str(k).lower(): v for k, v in (self.connection_params or {}).items()}
        value = params.get("authorization")
        if isinstance(value, str):
            scheme, _, token = value.partition(" ")
            return (token.strip() or None) if scheme.lower() == "bearer" else None
        value = params.get("token")
        return value if isinstance(value, str) and value else None

    def operation_context(self) -> Context:
        return Context(session_factory=async_sessionmaker_for(), token=self.token,
                       client_address=self.client_address, user_agent=self.user_agent,
                       request_id=uuid.uuid4().hex)


async def token_is_valid(token: str) -> bool:
    async with async_sessionmaker_for()() as session:
        with tenant.acting_as(None):  # authenticate() states the tenant; it must not outlive this check
            found = await session.run_sync(lambda s: auth.authenticate(s, token=token))
            await session.rollback()
    return found is not None


def _refusal(operation: Operation[Any, Any]) -> RequestError | None:
    """The same checks on strings as over HTTP (length, NUL, lone surrogates)."""
    if not isinstance(operation.query, str) or not isinstance(operation.variables or {}, dict):
        return RequestError("The 'query' must be a string and 'variables' a map.")
    params = GraphQLParams(operation.query, operation.operation_name, operation.variables, None)
    settings = get_settings()
    try:
        refuse_surrogates(params)
        check_strings(params, max_length=settings.max_string_length, max_tokens=settings.max_query_tokens)
    except RequestError as error:
        return error
    return None


class OperationHandler(BaseGraphQLTransportWSHandler[Connection, None]):
    """Strawberry's handler, with a Context per operation instead of one per connection."""

    async def run_operation(self, operation: Operation[Connection, None]) -> None:
        if (refusal := _refusal(operation)) is not None:
            await operation.send_initial_errors([GraphQLError(str(refusal), extensions={"code": refusal.code})])
            return
        try:
            result_source = await self.schema.stream(
                operation.query, variable_values=operation.variables,
                context_value=self.context.operation_context(), operation_name=operation.operation_name)
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:  # the handler closed the socket (a malformed document)
            return
        except Exception as error:  # as Strawberry's own handler does: log, complete, forget, re-raise
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise


class GraphQLWebSocket(GraphQL[Connection, None]):
    graphql_transport_ws_handler_class = OperationHandler

    def __init__(self) -> None:
        super().__init__(schema, graphql_ide=None, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
                         connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
                         max_subscriptions_per_connection=MAX_OPERATIONS_PER_CONNECTION)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Connection:
        address = request.client.host if request.client else ""
        return Connection(client_address=address, user_agent=request.headers.get("user-agent", "")[:500])

    async def on_ws_connect(self, context: Connection) -> UnsetType:
        token = context.token
        if token is not None and (has_surrogates(token) or not await token_is_valid(token)):
            raise ConnectionRejectionError
        return UNSET
