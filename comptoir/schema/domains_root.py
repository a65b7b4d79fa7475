"""Query and Mutation fields of registrar accounts, TLDs, domain plans and domains."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import domains as r
from comptoir.schema.base import Connection
from comptoir.schema.domains import (
    Domain,
    DomainCheckResult,
    DomainPayload,
    DomainPlan,
    DomainPlanPayload,
    RegistrarAccount,
    RegistrarAccountPayload,
    Tld,
    TldPayload,
)
from comptoir.schema.permissions import IsAuthenticated, IsStaff

STAFF = [IsStaff]


@strawberry.type
class DomainsQuery:
    registrar_accounts: list[RegistrarAccount] = strawberry.field(resolver=r.registrar_accounts,
                                                                  permission_classes=STAFF)
    tlds: list[Tld] = strawberry.field(resolver=r.tld_list, permission_classes=STAFF,
                                       description="The predefined TLDs and the seller's custom ones.")
    domain_plans: list[DomainPlan] = strawberry.field(resolver=r.domain_plans, permission_classes=STAFF)
    domains: Connection[Domain] = strawberry.field(
        resolver=r.domain_list, permission_classes=[IsAuthenticated],
        description="Staff: the seller's customers' domains; a customer: its own.")
    domain_check: DomainCheckResult | None = strawberry.field(
        resolver=r.domain_check,
        description="Public (no log-in): can the store's seller register this name? Null: no such store.")


@strawberry.type
class DomainsMutation:
    registrar_account_create: RegistrarAccountPayload = strawberry.mutation(
        resolver=r.registrar_account_create, permission_classes=STAFF,
        description="Configure a registrar: the unassigned TLDs it supports become active with it as default.")
    registrar_account_update: RegistrarAccountPayload = strawberry.mutation(
        resolver=r.registrar_account_update, permission_classes=STAFF)
    registrar_account_disable: RegistrarAccountPayload = strawberry.mutation(
        resolver=r.registrar_account_disable, permission_classes=STAFF,
        description="Its TLDs are suspended until assigned to another registrar.")
    tld_create: TldPayload = strawberry.mutation(resolver=r.tld_create, permission_classes=STAFF,
                                                 description="A custom TLD.")
    tld_assign_registrar: TldPayload = strawberry.mutation(
        resolver=r.tld_assign_registrar, permission_classes=STAFF,
        description="Make another registrar supporting the TLD its default.")
    domain_plan_create: DomainPlanPayload = strawberry.mutation(resolver=r.domain_plan_create,
                                                                permission_classes=STAFF)
    domain_plan_update: DomainPlanPayload = strawberry.mutation(resolver=r.domain_plan_update,
                                                                permission_classes=STAFF)
    domain_renew: DomainPayload = strawberry.mutation(
        resolver=r.domain_renew, permission_classes=STAFF,
        description="Renew at the registrar (an operation); the expiry date moves once it is done.")
    domain_set_name_servers: DomainPayload = strawberry.mutation(resolver=r.domain_set_name_servers,
                                                                 permission_classes=STAFF)
    domain_lock: DomainPayload = strawberry.mutation(resolver=r.domain_lock, permission_classes=STAFF)
