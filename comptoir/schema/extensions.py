"""Schema extensions: one transaction per operation (with authentication), error masking."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from comptoir.tenancy import auth
from comptoir.tenancy import context as tenant

log = logging.getLogger("comptoir.graphql")


class OperationTransaction(SchemaExtension):
    """Open the operation's session, authenticate its bearer token, commit once at the end."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        tenant.set_current(None)
        context.session = context.session_factory()
        try:
            if context.token:
                context.tenant = await context.session.run_sync(
                    lambda s: auth.authenticate(s, token=context.token)
                )
            yield
            await context.session.commit()
        except BaseException:
            await context.session.rollback()
            raise
        finally:
            await context.session.close()
            context.tenant = tenant.current() or context.tenant
            tenant.set_current(None)


PUBLIC_ERROR_CODES = {"FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT"}


def _is_public(error: GraphQLError) -> bool:
    if error.original_error is None:
        return True  # parse, validation and variable errors speak about the request itself
    return (error.extensions or {}).get("code") in PUBLIC_ERROR_CODES


class MaskInternalErrors(MaskErrors):
    """Hide unexpected exceptions behind a request id that is also in the log."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_public(error), error_message="Internal error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", "")
        log.error("internal error %s", request_id, exc_info=error.original_error)
        return GraphQLError(self.error_message, nodes=error.nodes, path=error.path,
                            extensions={"code": "INTERNAL_ERROR", "requestId": request_id})
