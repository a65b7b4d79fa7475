"""Schema extensions: one transaction per operation (with authentication), one operation per document,
error masking; and the schema class that logs expected errors quietly."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from graphql.language import OperationDefinitionNode, VariableDefinitionNode
from sqlalchemy import exc as sa_exc
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from comptoir.audit import recorder
from comptoir.errors import DomainError
from comptoir.security import secrets
from comptoir.observability import metrics
from comptoir.tenancy import auth
from comptoir.tenancy import context as tenant

log = logging.getLogger("comptoir.graphql")
operations_log = logging.getLogger("comptoir.graphql.operations")  # one line per operation

_DIGIT_RUNS = re.compile(r"\d[\d .-]*\d|\d")


def redact_digits(message: str) -> str:
    """The message with every run of digits replaced: card numbers and security codes stay out of logs."""
    return _DIGIT_RUNS.sub("#", message)

T = TypeVar("T")

INTERNAL_ERROR = "INTERNAL_ERROR"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
PUBLIC_ERROR_CODES = {"FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT"}
# The database cannot be reached, or gave up on a statement (timeouts): the request may succeed later.
UNAVAILABLE_ERRORS = (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.InterfaceError, TimeoutError)


def _unavailable(cause: BaseException | None) -> bool:
    while cause is not None:
        if isinstance(cause, UNAVAILABLE_ERRORS):
            return True
        cause = cause.__cause__
    return False


def internal_error(request_id: str, cause: BaseException | None, like: GraphQLError | None = None
                   ) -> GraphQLError:
    """What the client sees of an unexpected failure (at `like`'s place): a fixed message and the request id
    the log holds with the traceback. A database outage is told apart: the client may retry."""
    where = {"nodes": like.nodes if like else None, "path": like.path if like else None}
    if _unavailable(cause):
        log.warning("database unavailable, request id %s: %s", request_id, type(cause).__name__,
                    extra={"request_id": request_id})
        return GraphQLError("The service is unavailable, try again later.", **where,
                            extensions={"code": SERVICE_UNAVAILABLE, "requestId": request_id})
    log.error("internal error, request id %s", request_id, exc_info=cause, extra={"request_id": request_id})
    return GraphQLError("Internal error.", **where, extensions={"code": INTERNAL_ERROR, "requestId": request_id})


class OperationTransaction(SchemaExtension):
    """Open the operation's session, authenticate its bearer token, commit once at the end."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        tenant.set_current(None)
        recorder.set_origin(source="graphql", operation="", request_id=context.request_id,
                            client_address=context.client_address)
        secrets.begin_operation()  # keys a passphrase unlocks live for this operation only
        context.session = context.session_factory()
        started = time.perf_counter()
        try:
            if context.token:
                context.tenant = await self._outside_resolvers(context.session.run_sync(
                    lambda s: auth.authenticate(s, token=context.token)
                ))
            yield
            await self._outside_resolvers(context.session.commit())
        except BaseException:
            await context.session.rollback()
            raise
        finally:
            await context.session.close()
            context.tenant = tenant.current() or context.tenant
            self._observe(time.perf_counter() - started)  # its log line still names the tenant
            tenant.set_current(None)
            secrets.end_operation()

    def _observe(self, seconds: float) -> None:
        execution = self.execution_context
        try:
            kind = execution.operation_type.value
        except Exception:  # noqa: BLE001 -- a document that did not parse has no operation type
            kind = "unknown"
        name = execution.operation_name or "anonymous"
        metrics.observe_operation(operation=name, kind=kind, seconds=seconds, result=execution.result)
        with recorder.origin(operation=name):
            operations_log.info("%s %s %.1f ms", kind, name, seconds * 1000,
                                extra={"duration_ms": round(seconds * 1000, 1)})

    async def on_execute(self) -> AsyncIterator[None]:
        # Logs name the operation (mutations narrow the audit origin to their field while they run).
        recorder.set_origin(operation=self.execution_context.operation_name or "")
        if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lasts: it reads in short transactions of its own and must hold no connection.
            await self._outside_resolvers(self.execution_context.context.session.commit())
        yield

    async def _outside_resolvers(self, step: Awaitable[T]) -> T:
        """Await a database step no resolver wraps: its failure would otherwise reach the client unmasked."""
        try:
            return await step
        except Exception as error:
            raise internal_error(self.execution_context.context.request_id, error) from error


class SingleOperation(SchemaExtension):
    """A document holding several operations must name the one to run (the GraphQL spec's GetOperation);
    Strawberry alone would run the first."""

    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        # Strawberry keeps the client's operationName only privately (its public property falls back to the first).
        if document is None or getattr(context, "_provided_operation_name", None) is not None:
            return
        if sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1:
            raise GraphQLError("Must provide operation name if query contains multiple operations.")


def _is_public(error: GraphQLError) -> bool:
    if error.original_error is None:
        return True  # parse and validation errors speak about the request itself
    if error.nodes and all(isinstance(node, VariableDefinitionNode) for node in error.nodes):
        return True  # a variable value a scalar refused (its message quotes the client's own value)
    return (error.extensions or {}).get("code") in PUBLIC_ERROR_CODES


class MaskInternalErrors(MaskErrors):
    """Hide unexpected exceptions behind a request id that is also in the log.

    A domain error that escapes a query resolver (an invalid cursor) is the client's mistake: it keeps
    its message, under the public code BAD_USER_INPUT.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_public(error), error_message="Internal error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return GraphQLError(original.message, nodes=error.nodes, path=error.path, extensions={
                "code": "BAD_USER_INPUT", "reason": original.code.name, "field": original.field})
        request_id = getattr(self.execution_context.context, "request_id", "")
        return internal_error(request_id, original, like=error)


class Schema(strawberry.Schema):
    """Expected errors (refused fields, bad input) are logged at INFO in one line; unexpected ones are
    logged once, with their traceback and request id, where they are masked."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
                       ) -> None:
        for error in errors:
            if _is_public(error) or isinstance(error.original_error, DomainError):
                # messages may quote input (a card number typed as an Int, a CVV): digits never reach the log
                log.info("refused: %.300s (path %s)", redact_digits(error.message), error.path)
