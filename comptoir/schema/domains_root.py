"""Query and Mutation fields of registrar accounts, TLDs, domain plans and domains."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import certificates as c
from comptoir.resolvers import domains as r
from comptoir.schema.base import Connection
from comptoir.schema.certificates import (
    CertificateOrder,
    CertificateOrderPayload,
    CertificatePlan,
    CertificatePlanPayload,
    CertificateProvider,
    CertificateProviderPayload,
)
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
from comptoir.schema.permissions import IsAuthenticated, IsCustomer, IsStaff

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
    certificate_providers: list[CertificateProvider] = strawberry.field(resolver=c.certificate_provider_list,
                                                                        permission_classes=STAFF)
    certificate_plans: list[CertificatePlan] = strawberry.field(resolver=c.certificate_plan_list,
                                                                permission_classes=STAFF)
    certificate_orders: list[CertificateOrder] = strawberry.field(
        resolver=c.certificate_order_list, permission_classes=[IsAuthenticated],
        description="Staff: the seller's certificate orders; a customer: its own.")


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
    domain_register: DomainPayload = strawberry.mutation(
        resolver=r.domain_register, permission_classes=STAFF,
        description="Register a name for a customer through the TLD's default registrar (an operation).")
    domain_transfer: DomainPayload = strawberry.mutation(
        resolver=r.domain_transfer, permission_classes=STAFF,
        description="Transfer a customer's name in with its auth code (an operation).")
    domain_renew: DomainPayload = strawberry.mutation(
        resolver=r.domain_renew, permission_classes=STAFF,
        description="Renew at the registrar (an operation); the expiry date moves once it is done.")
    domain_set_name_servers: DomainPayload = strawberry.mutation(resolver=r.domain_set_name_servers,
                                                                 permission_classes=STAFF)
    domain_lock: DomainPayload = strawberry.mutation(resolver=r.domain_lock, permission_classes=STAFF)
    certificate_provider_create: CertificateProviderPayload = strawberry.mutation(
        resolver=c.certificate_provider_create, permission_classes=STAFF)
    certificate_provider_update: CertificateProviderPayload = strawberry.mutation(
        resolver=c.certificate_provider_update, permission_classes=STAFF)
    certificate_provider_enable: CertificateProviderPayload = strawberry.mutation(
        resolver=c.certificate_provider_enable, permission_classes=STAFF)
    certificate_provider_disable: CertificateProviderPayload = strawberry.mutation(
        resolver=c.certificate_provider_disable, permission_classes=STAFF,
        description="Refused (PROVIDER_IN_USE) while certificate plans use it.")
    certificate_plan_create: CertificatePlanPayload = strawberry.mutation(resolver=c.certificate_plan_create,
                                                                          permission_classes=STAFF)
    certificate_order_place: CertificateOrderPayload = strawberry.mutation(
        resolver=c.certificate_order_place, permission_classes=STAFF,
        description="Order a certificate for a customer; the authority's first questions follow.")
    certificate_order_submit: CertificateOrderPayload = strawberry.mutation(
        resolver=c.certificate_order_submit, permission_classes=[IsCustomer],
        description="The customer answers what the authority asked; the next round follows.")
