"""Schema extensions: one transaction per operation (with authentication), error masking."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from graphql import GraphQLError
from graphql.language import VariableDefinitionNode
from strawberry.extensions import MaskErrors, SchemaExtension

from comptoir.errors import DomainError
from comptoir.tenancy import auth
from comptoir.tenancy import context as tenant

log = logging.getLogger("comptoir.graphql")

T = TypeVar("T")

INTERNAL_ERROR = "INTERNAL_ERROR"
PUBLIC_ERROR_CODES = {"FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT"}


def internal_error(request_id: str, cause: BaseException | None, like: GraphQLError | None = None
                   ) -> GraphQLError:
    """What the client sees of an unexpected failure (at `like`'s place): a fixed message and the request id
    the log holds with the traceback."""
    log.error("internal error, request id %s", request_id, exc_info=cause, extra={"request_id": request_id})
    return GraphQLError("Internal error.", nodes=like.nodes if like else None, path=like.path if like else None,
                        extensions={"code": INTERNAL_ERROR, "requestId": request_id})


class OperationTransaction(SchemaExtension):
    """Open the operation's session, authenticate its bearer token, commit once at the end."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        tenant.set_current(None)
        context.session = context.session_factory()
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
            tenant.set_current(None)

    async def _outside_resolvers(self, step: Awaitable[T]) -> T:
        """Await a database step no resolver wraps: its failure would otherwise reach the client unmasked."""
        try:
            return await step
        except Exception as error:
            raise internal_error(self.execution_context.context.request_id, error) from error


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
