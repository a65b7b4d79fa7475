"""Declarative permission classes, one per role set; resolvers never hand-check roles."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from comptoir.tenancy.context import Role


class _RolePermission(BasePermission):
    roles: frozenset[Role] = frozenset()
    message = "You are not allowed to do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        tenant = info.context.tenant
        return tenant is not None and tenant.user_id is not None and tenant.role in self.roles


class IsAuthenticated(_RolePermission):
    roles = frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER})
    message = "Log in first."
    error_extensions = {"code": "UNAUTHENTICATED"}


class IsStaff(_RolePermission):
    roles = frozenset({Role.PROVIDER, Role.RESELLER})


class IsProvider(_RolePermission):
    roles = frozenset({Role.PROVIDER})


class IsReseller(_RolePermission):
    roles = frozenset({Role.RESELLER})


class IsCustomer(_RolePermission):
    roles = frozenset({Role.CUSTOMER})
