"""Who may call what: every Query and Mutation field × {anonymous, customer, reseller, provider}.

The fields are enumerated from the schema itself, so a new field without a row below fails here.
Each field is called with the smallest valid arguments (ids of nothing, placeholder strings): the
point is what the permission layer answers, not what the operation then does with such input.

Outcomes:
  ALLOWED          the field ran: no permission error (its payload may carry user errors)
  SHOWN            the field ran and returned something (an object that exists for this viewer)
  NULL             no error, but nothing: null (or a list of nulls) — e.g. `me` when anonymous
  FORBIDDEN        refused, extensions.code FORBIDDEN (logged in without the role)
  UNAUTHENTICATED  refused, extensions.code UNAUTHENTICATED (anonymous, or a token unknown, expired or
                   revoked, on any field that needs a log-in: the client must log in, not give up)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from graphql.pyutils import Undefined

from comptoir.audit import recorder
from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id
from comptoir.schema.root import schema
from comptoir.tenancy import auth, security
from tests import factories

ALLOWED, SHOWN, NULL, FORBIDDEN, UNAUTHENTICATED = "ALLOWED", "SHOWN", "NULL", "FORBIDDEN", "UNAUTHENTICATED"
ROLES = ("anonymous", "customer", "reseller", "provider")

# node/nodes/reseller are asked about an existing reseller; everything else about ids of nothing.
QUERIES: dict[str, tuple[str, str, str, str]] = {
    #                              anonymous        customer         reseller         provider
    "node":                        (NULL,            NULL,            NULL,            SHOWN),
    "nodes":                       (NULL,            NULL,            NULL,            SHOWN),
    "me":                          (NULL,            SHOWN,           SHOWN,           SHOWN),
    "viewer":                      (NULL,            SHOWN,           SHOWN,           SHOWN),
    "languages":                   (SHOWN,           SHOWN,           SHOWN,           SHOWN),
    "themes":                      (SHOWN,           SHOWN,           SHOWN,           SHOWN),
    "resellers":                   (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       SHOWN),
    "reseller":                    (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       SHOWN),
    "myResources":                 (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           FORBIDDEN),
    "customers":                   (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "plans":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "plan":                        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptions":               (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "subscription":                (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "subscriptionTransferPreview": (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "backgroundJob":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "branding":                    (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "customButtons":               (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "overview":                    (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "mySkeleton":                  (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "scheduledEvents":             (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "sandboxClock":                (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "ipAddresses":                 (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       SHOWN),
    "ipAddress":                   (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "myIpPool":                    (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "usageReport":                 (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "trafficReport":               (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "usageNotificationSettings":   (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "hostingServers":              (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       SHOWN),
    "myServers":                   (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "sslCertificates":             (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "myStores":                    (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "pendingCustomers":            (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "orders":                      (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "sellerHome":                  (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "todoItems":                   (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "gatewayConfigs":              (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "paymentMethods":              (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "payments":                    (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "paymentSettings":             (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "encryptionSettings":          (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "documents":                   (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "invoiceLayout":               (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "myOrders":                    (UNAUTHENTICATED, SHOWN,           FORBIDDEN,       FORBIDDEN),
    "auditLog":                    (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "auditArchives":               (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "auditArchiveEntries":         (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "webhookEndpoints":            (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "webhookDeliveries":           (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "taxZones":                    (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "storeTaxSettings":            (UNAUTHENTICATED, FORBIDDEN,       NULL,            NULL),
    "customerTaxProfile":          (UNAUTHENTICATED, FORBIDDEN,       NULL,            NULL),
    "myTaxProfile":                (UNAUTHENTICATED, SHOWN,           FORBIDDEN,       FORBIDDEN),
    "coupons":                     (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "couponRedemptions":           (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "invoices":                    (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "billingSettings":             (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "customerStatement":           (UNAUTHENTICATED, SHOWN,           ALLOWED,         ALLOWED),
    "paymentQueue":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "emailTemplates":              (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "emailTemplatePreview":        (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "emails":                      (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "smtpSettings":                (UNAUTHENTICATED, FORBIDDEN,       NULL,            NULL),
    "massEmails":                  (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "caughtEmails":                (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       SHOWN),
    "registrarAccounts":           (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "tlds":                        (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "domainPlans":                 (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "domains":                     (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    "certificateProviders":        (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "certificatePlans":            (UNAUTHENTICATED, FORBIDDEN,       SHOWN,           SHOWN),
    "certificateOrders":           (UNAUTHENTICATED, SHOWN,           SHOWN,           SHOWN),
    # public: a visitor of a store (no store answers to the placeholder name, no cart has its id)
    "storefront":                  (NULL,            NULL,            NULL,            NULL),
    "cart":                        (NULL,            NULL,            NULL,            NULL),
    "panelBranding":               (NULL,            NULL,            NULL,            NULL),
    "domainCheck":                 (NULL,            NULL,            NULL,            NULL),
}

MUTATIONS: dict[str, tuple[str, str, str, str]] = {
    #                                   anonymous        customer         reseller         provider
    "sessionCreate":                    (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "sessionDelete":                    (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "sessionRevoke":                    (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "passwordChange":                   (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "profileUpdate":                    (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "preferencesUpdate":                (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "passwordResetRequest":             (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "passwordResetConfirm":             (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "sellerSettingsUpdate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "resellerCreate":                   (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "resellerUpdate":                   (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "resellerSuspend":                  (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "resellerActivate":                 (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "resellerDelete":                   (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "oversellingPolicySet":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         FORBIDDEN),
    "planCreate":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "planUpdate":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "planAcceptAvailableValues":        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "planDelete":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "planDuplicate":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionCreate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionChangePlan":           (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionAddAddon":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionRemoveAddon":          (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionCustomize":            (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionUnlockAndSync":        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionSynchronize":          (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionAcceptAvailableValues": (UNAUTHENTICATED,FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionDetach":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionHostingSettingsUpdate": (UNAUTHENTICATED,FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionTransfer":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionSuspend":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionActivate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionPhpSettingsUpdate":    (UNAUTHENTICATED, ALLOWED,         ALLOWED,         ALLOWED),
    "subscriptionRenew":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionDelete":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerCreate":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "usageCollect":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "usageNotificationSettingsSet":     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerUpdate":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerLoginChange":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerSuspend":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerActivate":                 (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerDelete":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "brandingUpdate":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "brandingReset":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customButtonCreate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customButtonUpdate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customButtonDelete":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "skeletonUpload":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "skeletonReset":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "scheduledEventRun":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "sandboxClockAdvance":              (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressRegister":                (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressUpdate":                  (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressRemove":                  (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressRestore":                 (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressDelete":                  (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressAssign":                  (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipAddressUnassign":                (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "ipPoolEntryTypeSet":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "ipPoolEntryDefaultSiteSet":        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "ipPoolEntryCertificateSet":        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "hostingServerRegister":            (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "hostingServerUpdate":              (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "hostingServerAssign":              (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "hostingServerUnassign":            (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "hostingServerDelete":              (UNAUTHENTICATED, FORBIDDEN,       FORBIDDEN,       ALLOWED),
    "planServerPin":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "sslCertificateAdd":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "sslCertificateDelete":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "subscriptionServiceSettingsUpdate": (UNAUTHENTICATED, ALLOWED,        ALLOWED,         ALLOWED),
    "storeCreate":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "storeUpdate":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "storeDelete":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "storeTermsPublish":                 (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "offerCreate":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "offerUpdate":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "offerDelete":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "pendingCustomerActivate":           (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "pendingCustomerCancel":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "pendingCustomerMarkFraudulent":     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "todoItemDone":                      (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "orderRetry":                        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "webhookEndpointCreate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "webhookEndpointUpdate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "webhookEndpointDelete":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "webhookDeliveryResend":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "billingSettingsUpdate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "invoicesGenerate":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentQueueGenerate":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentQueueRun":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "invoiceCreate":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "invoicePaymentRecord":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "invoiceResend":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "creditNoteCreate":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerCreditAdd":                 (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "encryptionPassphraseEnable":        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "encryptionUnlock":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "emailTemplateUpdate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "emailTemplateReset":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "emailResend":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "smtpSettingsUpdate":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "smtpSettingsRemove":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "massEmailCreate":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "invoiceLayoutUpdate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "invoiceLayoutPreview":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "cartCreate":                        (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartLinesAdd":                      (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartLinesUpdate":                   (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartLinesRemove":                   (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartCouponApply":                   (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartBuyerIdentityUpdate":           (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartPaymentMethodSelect":           (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "cartTermsAccept":                   (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "checkoutComplete":                  (ALLOWED,         ALLOWED,         ALLOWED,         ALLOWED),
    "taxZoneCreate":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "taxZoneUpdate":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "taxZoneDelete":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "taxRateCreate":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "taxRateUpdate":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "taxRateDelete":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "storeTaxSettingsUpdate":            (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "customerTaxProfileUpdate":          (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "couponCreate":                      (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "couponUpdate":                      (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "couponDeactivate":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "gatewayConfigCreate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "gatewayConfigUpdate":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "gatewayConfigEnable":               (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "gatewayConfigDisable":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "storeGatewaysSet":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentMethodAddCard":              (UNAUTHENTICATED, ALLOWED,         FORBIDDEN,       FORBIDDEN),
    "paymentMethodAddBankAccount":       (UNAUTHENTICATED, ALLOWED,         FORBIDDEN,       FORBIDDEN),
    "paymentMethodSetDefault":           (UNAUTHENTICATED, ALLOWED,         FORBIDDEN,       FORBIDDEN),
    "paymentMethodRemove":               (UNAUTHENTICATED, ALLOWED,         FORBIDDEN,       FORBIDDEN),
    "virtualTerminalCharge":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentCapture":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentCaptureAll":                 (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentRefund":                     (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentVoid":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentMarkPaid":                   (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "paymentAuthenticate":               (UNAUTHENTICATED, ALLOWED,         FORBIDDEN,       FORBIDDEN),
    "paymentSettingsUpdate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "registrarAccountCreate":            (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "registrarAccountUpdate":            (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "registrarAccountDisable":           (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "tldCreate":                         (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "tldAssignRegistrar":                (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainPlanCreate":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainPlanUpdate":                  (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainRegister":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainTransfer":                    (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainRenew":                       (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainSetNameServers":              (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "domainLock":                        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificateProviderCreate":         (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificateProviderUpdate":         (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificateProviderEnable":         (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificateProviderDisable":        (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificatePlanCreate":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificateOrderPlace":             (UNAUTHENTICATED, FORBIDDEN,       ALLOWED,         ALLOWED),
    "certificateOrderSubmit":            (UNAUTHENTICATED, ALLOWED,         FORBIDDEN,       FORBIDDEN),
}


def about_the_reseller(name: str, reseller_id: str) -> dict[str, Any]:
    """Arguments of the fields asked about the world's reseller rather than about an id of nothing."""
    return {"node": {"id": reseller_id}, "nodes": {"ids": [reseller_id]}, "reseller": {"id": reseller_id}}.get(
        name, {})


GRAPHQL = schema._schema  # the graphql-core schema Strawberry built


def schema_fields() -> Iterator[tuple[str, str]]:
    for operation, type_name in (("query", "Query"), ("mutation", "Mutation")):
        root = GRAPHQL.get_type(type_name)
        assert isinstance(root, GraphQLObjectType)
        for name in root.fields:
            yield operation, name


CELLS = [(operation, name, role) for operation, name in schema_fields() for role in ROLES]


def _required(argument: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


def placeholder(type_: GraphQLInputType) -> Any:
    """The smallest value a required argument of this type accepts."""
    if isinstance(type_, GraphQLNonNull):
        return placeholder(type_.of_type)
    if isinstance(type_, GraphQLList):
        return []
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {name: placeholder(field.type) for name, field in type_.fields.items() if _required(field)}
    assert isinstance(type_, GraphQLScalarType), type_
    return {"ID": encode_id("Nothing", uuid.UUID(int=0)), "String": "x", "Int": 1, "Float": 1.0,
            "Boolean": False, "Decimal": "1", "Date": "2031-01-01", "DateTime": "2031-01-01T00:00:00+00:00",
            "JSON": {}}[type_.name]


def operation_text(operation: str, name: str, field: GraphQLField, reseller_id: str) -> tuple[str, dict[str, Any]]:
    """`mutation($a: T!) { field(a: $a) { __typename } }` and its variables."""
    variables = about_the_reseller(name, reseller_id) or {
        arg_name: placeholder(arg.type) for arg_name, arg in field.args.items() if _required(arg)}
    declarations = ", ".join(f"${arg}: {field.args[arg].type}" for arg in variables)
    arguments = ", ".join(f"{arg}: ${arg}" for arg in variables)
    leaf = isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType))
    return (f"{operation}{f'({declarations})' if declarations else ''} {{ {name}"
            f"{f'({arguments})' if arguments else ''}{'' if leaf else ' { __typename }'} }}"), variables


def outcome_of(result: dict[str, Any], name: str) -> str:
    codes = [error.get("extensions", {}).get("code") for error in result.get("errors", [])]
    if codes:
        for refusal in (FORBIDDEN, UNAUTHENTICATED):
            if refusal in codes:
                return refusal
        if set(codes) <= {"BAD_USER_INPUT"}:
            return ALLOWED
        return f"ERROR {codes}: {result['errors']}"
    value = result["data"][name]
    if value is None or (isinstance(value, list) and value and all(item is None for item in value)):
        return NULL
    return SHOWN


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """The cells of this module share one world (built once); `world` empties the tables afterwards."""
    yield


@pytest.fixture(scope="module")
def world(superuser_connection: Any) -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(security, "_hasher", cheap)
        provider = factories.provider("boss")
        reseller = factories.reseller(provider, "Resell", "resell")
        customer = factories.customer(reseller, "carol")
    yield {"actors": {"provider": provider, "reseller": reseller, "customer": customer},
           "reseller_id": encode_id("Reseller", reseller.seller_id)}
    tables = [row[0] for row in superuser_connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
    superuser_connection.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def fresh_token(actor: factories.Actor) -> str:
    """A session of its own for each cell: a cell that logs out must not log the next one out."""
    with session_scope(None) as session:
        return auth.log_in(session, username=actor.username, password=actor.password).token


def test_every_schema_field_has_a_row_and_every_row_a_field():
    # given
    fields = {name for _, name in schema_fields()}
    # then
    assert sorted(fields - (QUERIES.keys() | MUTATIONS.keys())) == [], "add a row to the matrix for these fields"
    assert sorted((QUERIES.keys() | MUTATIONS.keys()) - fields) == [], "these rows name no field of the schema"


@pytest.mark.parametrize(("operation", "name", "role"), CELLS, ids=[f"{n}-{r}" for _, n, r in CELLS])
async def test_field_answers_each_role_as_the_matrix_says(client, world, operation, name, role):
    # given
    table = QUERIES if operation == "query" else MUTATIONS
    if name not in table:
        pytest.fail(f"{operation} field {name!r} has no row in the authorization matrix")
    expected = table[name][ROLES.index(role)]
    field = GRAPHQL.get_type("Query" if operation == "query" else "Mutation").fields[name]
    text, variables = operation_text(operation, name, field, world["reseller_id"])
    token = None if role == "anonymous" else fresh_token(world["actors"][role])
    # when
    with audited_operations() as audited:
        result = await client.execute(text, variables, token=token)
    # then
    observed = outcome_of(result, name)
    allowed_with_something = expected == ALLOWED and observed in (SHOWN, NULL)
    assert observed == expected or allowed_with_something, f"{text} {variables}"
    if operation == "mutation" and observed in (ALLOWED, SHOWN, NULL) and name not in CHECKED_BEFORE_MUTATE:
        assert name in audited, (f"mutation {name} ran outside comptoir.schema.base.mutate: its changes would "
                                 "leave no audit row")


# Mutations refusing the placeholder input before their audited part runs (which a valid input reaches).
CHECKED_BEFORE_MUTATE = {
    "skeletonUpload": "the archive is checked on a worker thread first",
    "subscriptionAddAddon": "the add-on id is decoded first", "subscriptionRemoveAddon": "the add-on id is decoded first",
    "subscriptionChangePlan": "the plan id is decoded first",
}


@contextlib.contextmanager
def audited_operations() -> Iterator[list[str]]:
    """The mutations that ran through the audited path (comptoir.schema.base.run_mutation names each)."""
    names: list[str] = []
    real = recorder.origin

    def spy(**fields: str) -> Any:
        if fields.get("operation"):
            names.append(fields["operation"])
        return real(**fields)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recorder, "origin", spy)
        yield names
