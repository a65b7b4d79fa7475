"""Declarative permission classes, one per role set; resolvers never hand-check roles."""

from __future__ import annotations

from typing import Any

from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission
from strawberry.types import Info

from comptoir.tenancy.context import Role


class _RolePermission(BasePermission):
    roles: frozenset[Role] = frozenset()
    message = "You are not allowed to do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        tenant = info.context.tenant
        if tenant is None or tenant.user_id is None:
            # No token, or one that is unknown, expired or revoked: the client must log in (again),
            # which FORBIDDEN would not tell it.
            raise StrawberryGraphQLError(UNAUTHENTICATED_MESSAGE, extensions={"code": "UNAUTHENTICATED"})
        return tenant.role in self.roles


UNAUTHENTICATED_MESSAGE = "Log in first."


class IsAuthenticated(_RolePermission):
    roles = frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER})


class IsStaff(_RolePermission):
    roles = frozenset({Role.PROVIDER, Role.RESELLER})


class IsProvider(_RolePermission):
    roles = frozenset({Role.PROVIDER})


class IsReseller(_RolePermission):
    roles = frozenset({Role.RESELLER})


class IsCustomer(_RolePermission):
    roles = frozenset({Role.CUSTOMER})
