"""Role × table × operation: what each context can do to the rows of reseller Alpha, measured with raw
SQL as comptoir_app, against the matrix below (kept here, apart from comptoir/database/policies.py).

Tables come from pg_catalog: a tenant table without a row here fails the suite. Each probe runs in a
savepoint of a transaction that is rolled back. "Allowed" means the database let the statement reach
the rows: a SELECT sees some, an UPDATE or DELETE touches some, an INSERT passes row security (a key
clash or constraint raised after it still counts as passed: PostgreSQL checks policies first).
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.errors import InsufficientPrivilege, IntegrityError

from tests.isolation.catalog import Tables, customer_column, seller_anchor
from tests.isolation.test_rls_raw_sql import acting_as, fresh_copy, insert, one_row
from tests.isolation.world import World

Connection = psycopg.Connection[Any]

ROLES = ("provider", "reseller", "customer", "storefront", "system", "none")
OPERATIONS = {"S": "SELECT", "I": "INSERT", "U": "UPDATE", "D": "DELETE"}


def _row(provider: str, reseller: str, customer: str, storefront: str, system: str) -> dict[str, str]:
    return {"provider": provider, "reseller": reseller, "customer": customer, "storefront": storefront,
            "system": system, "none": ""}


# What each role may do to Alpha's rows. reseller = Alpha's staff; customer = one of Alpha's customers
# (on tables it may read: its own rows, or the seller's rows meant for it); system = a worker for Alpha.
EXPECTED: dict[str, dict[str, str]] = {
    #                                  provider reseller customer storefront system
    "sellers":                    _row("SIUD", "SU",   "S",   "", "SU"),
    "reseller_allocations":       _row("SIUD", "SU",   "",    "", "SU"),
    "users":                      _row("SIUD", "SIUD", "SU",  "", "SIUD"),
    "sessions":                   _row("SIUD", "SIUD", "SIU", "", "SIUD"),
    "password_resets":            _row("SIUD", "SIUD", "SU",  "", "SIUD"),
    "email_outbox":               _row("SIUD", "SIUD", "",    "", "SIUD"),
    "service_plans":              _row("SIUD", "SIUD", "S",   "", "SIUD"),
    "ip_addresses":               _row("SIUD", "S",    "",    "", "SIUD"),
    "ip_pool":                    _row("SIUD", "SU",   "S",   "", "SIUD"),
    "subscriptions":              _row("SIUD", "SIUD", "SU",  "", "SIUD"),
    "subscription_addons":        _row("SIUD", "SIUD", "S",   "", "SIUD"),
    "sites":                      _row("SIUD", "SIUD", "SU",  "", "SIUD"),
    "background_jobs":            _row("SIUD", "SIUD", "",    "", "SIUD"),
    "skeletons":                  _row("SIUD", "SIUD", "",    "", "SIUD"),
    "branding":                   _row("SIUD", "SIUD", "S",   "S", "SIUD"),
    "custom_buttons":             _row("SIUD", "SIUD", "S",   "", "SIUD"),
    # customer: for its own subscriptions only (another customer's: test_customer_scope)
    "provisioning_requests":      _row("SIUD", "SIUD", "SI",  "", "SIUD"),
    "scheduled_events":           _row("SIUD", "SU",   "",    "", "SIUD"),
    "subscription_usage":         _row("SIUD", "S",    "S",   "", "SIUD"),
    "usage_alerts":               _row("SIUD", "S",    "",    "", "SIUD"),
    "usage_notification_settings": _row("SIUD", "SIU", "",    "", "S"),
    "hosting_servers":            _row("SIUD", "S",    "",    "", "SIUD"),
    "server_pool":                _row("SIUD", "S",    "S",   "", "SIUD"),
    "ssl_certificates":           _row("SIUD", "SIUD", "",    "", "SIUD"),
    # Storefront: a visitor reads published stores, their terms and published offers; it may create a
    # customer (checkout) but read none. Carts, their lines, orders and keys open only to the visitor
    # presenting the cart's secret (none here: tests/storefront/test_storefront_isolation.py).
    "customers":                  _row("SIUD", "SIUD", "S",   "I", "SIUD"),
    "stores":                     _row("SIUD", "SIUD", "",    "S", "SIUD"),
    "store_terms":                _row("SIUD", "SIUD", "",    "S", "SIUD"),
    "offers":                     _row("SIUD", "SIUD", "",    "S", "SIUD"),
    "carts":                      _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "cart_lines":                 _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "orders":                     _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "checkout_keys":              _row("SIUD", "SIUD", "",    "",  "SIUD"),
    # Order steps: a customer (paying its first invoice) and a visitor (checkout) may insert the steps of
    # their own order only, which the probe's fresh copy (a new order id) is not.
    "order_steps":                _row("SIUD", "SIU",  "",    "",  "SIUD"),
    # Seller home: staff read and close to-do items, workers create them.
    "todo_items":                 _row("SIUD", "SU",   "",    "",  "SIUD"),
    # Audit log: written by whoever acts, rewritten by nobody; a customer reads its own actions only.
    "audit_log":                  _row("SID",  "SI",   "SI",  "I", "SID"),
    "audit_archives":             _row("SIUD", "S",    "",    "",  "SIUD"),
    # Outgoing webhooks: staff manage endpoints; whoever emits an event queues its deliveries.
    "webhook_endpoints":          _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "webhook_deliveries":         _row("SIUD", "SI",   "I",   "I", "SIUD"),
    # Taxes and coupons: staff configure, workers redeem and apply; a customer reads its tax profile, a
    # store's visitor active coupons (to check a code in its cart).
    "tax_zones":                  _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "tax_rates":                  _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "store_tax_settings":         _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "customer_tax_profiles":      _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "coupons":                    _row("SIUD", "SIUD", "",    "S", "SIUD"),
    "coupon_redemptions":         _row("SIUD", "S",    "",    "",  "SIUD"),
    "coupon_applications":        _row("SIUD", "S",    "",    "",  "SIUD"),
    # Billing: staff and workers bill, a customer reads its own; ledger and credit rows are append-only.
    "billing_settings":           _row("SIUD", "SIU",  "",    "",  "SIUD"),
    "billed_services":            _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "invoices":                   _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "invoice_lines":              _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "invoice_number_counters":    _row("SIUD", "SIU",  "",    "",  "SIU"),
    "ledger_accounts":            _row("SIUD", "SI",   "",    "",  "SI"),
    "ledger_entries":             _row("SIUD", "SI",   "",    "",  "SI"),
    "customer_balance_transactions": _row("SIUD", "SI", "S",  "",  "SI"),
    "payment_allocations":        _row("SIUD", "SI",   "S",   "",  "SI"),
    "payment_queue_rows":         _row("SIUD", "SIUD", "",    "",  "SIUD"),
    # Payments: staff configure gateways and handle payments; customers and visitors read enabled gateways;
    # a customer keeps its own cards (changing only which is the default) and asks for authenticated
    # payments to be completed (a charge intent); visitors save and pay only for the buyer of their cart
    # (none here); workers record webhook events and read what staff configured.
    "gateway_configs":            _row("SIUD", "SIUD", "S",   "S", "S"),
    "store_gateways":             _row("SIUD", "SIUD", "S",   "S", "S"),
    "payment_methods":            _row("SIUD", "SIUD", "SIUD", "", "SIUD"),
    "payments":                   _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "payment_charges":            _row("SIUD", "SIUD", "SI",  "",  "SIUD"),
    "payment_refunds":            _row("SIUD", "SI",   "",    "",  "SIUD"),
    "payment_webhook_events":     _row("SIUD", "S",    "",    "",  "SI"),
    "payment_settings":           _row("SIUD", "SIUD", "",    "",  "S"),
    # Wrapped data keys: staff read the mode and set a passphrase (creating the first key if need be).
    "seller_data_keys":           _row("SIUD", "SIU",  "",    "",  "SIUD"),
    # E-mails: staff own templates, SMTP settings and mailings; workers only read the SMTP settings.
    "mass_emails":                _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "email_attachments":          _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "email_templates":            _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "smtp_settings":              _row("SIUD", "SIUD", "",    "",  "S"),
    # Domains and certificates: registrar and CA settings are the seller's alone (a store's visitor reads
    # enabled registrar accounts to check availability); a customer reads its domains and answers its
    # certificate orders.
    "registrar_accounts":         _row("SIUD", "SIUD", "",    "S", "SIUD"),
    "tlds":                       _row("SIUD", "SIUD", "",    "S", "SIUD"),
    "domain_plans":               _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "domain_plan_tlds":           _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "domains":                    _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "domain_operations":          _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "certificate_providers":      _row("SIUD", "SIUD", "",    "",  "SIUD"),
    "certificate_plans":          _row("SIUD", "SIUD", "S",   "",  "SIUD"),
    "certificate_orders":         _row("SIUD", "SIUD", "SU",  "",  "SIUD"),
    # Documents: staff set the layout; issuing writes a render request, the worker stores the PDF once;
    # only the operator may update or delete a stored document (and a trigger keeps its bytes); a customer
    # reads its own (not schet-facturas).
    "invoice_layouts":            _row("SIUD", "SIU",  "",    "",  "S"),
    "document_renders":           _row("SIUD", "SI",   "",    "",  "SIU"),
    "documents":                  _row("SIUD", "S",    "S",   "",  "SI"),
}


def context_of(world: World, role: str) -> tuple[str, uuid.UUID | None, uuid.UUID | None]:
    if role == "provider":
        return role, world.provider.seller_id, None
    if role == "customer":
        return role, world.alpha.seller_id, world.alpha.customers[0].actor.customer_id
    if role == "none":
        return "", None, None
    return role, world.alpha.seller_id, None


# Seller tables a customer may touch only through its own subscriptions: the probe aims at those rows.
CUSTOMER_ROWS = {
    "provisioning_requests": "seller_id = %s AND subscription_id IN (SELECT id FROM subscriptions WHERE customer_id = %s)",
}


def target_rows(superuser: Connection, table: str, world: World, role: str) -> tuple[str, list[Any]]:
    """Which of Alpha's rows the probes aim at: a customer aims at its own rows where the table has owners."""
    column = customer_column(superuser, table)
    if role == "customer" and table in CUSTOMER_ROWS:
        return CUSTOMER_ROWS[table], [world.alpha.seller_id, world.alpha.customers[0].actor.customer_id]
    if role == "customer" and column:
        customer = world.alpha.customers[0].actor.customer_id
        return f"seller_id = %s AND {column} = %s", [world.alpha.seller_id, customer]
    return "seller_id = %s", [world.alpha.seller_id]


def probe(app: Connection, superuser: Connection, world: World, table: str, role: str,
          operation: str) -> bool:
    where, params = target_rows(superuser, table, world, role)
    anchor = seller_anchor(superuser, table)
    statements = {
        "S": "SELECT 1 FROM {table} WHERE " + where,
        "U": "UPDATE {table} SET {anchor} = {anchor} WHERE " + where,
        "D": "DELETE FROM {table} WHERE " + where,
    }
    try:
        with app.transaction():
            if operation == "I":
                row = fresh_copy(superuser, table, one_row(superuser, table, where, *params),
                                 keep={"seller_id", anchor, "customer_id"})
                try:
                    with app.transaction():
                        insert(app, table, row)
                except IntegrityError:
                    pass  # row security passed; the copy then clashed with a key or constraint
                return True
            query = sql.SQL(statements[operation]).format(table=sql.Identifier(table),
                                                          anchor=sql.Identifier(anchor))
            return app.execute(query, params).rowcount > 0
    except InsufficientPrivilege:
        return False


def test_every_tenant_table_has_a_row_in_the_expected_matrix(tables: Tables) -> None:
    missing, gone = sorted(set(tables.tenant) - set(EXPECTED)), sorted(set(EXPECTED) - set(tables.tenant))
    assert (missing, gone) == ([], []), (
        "declare the table's policies in comptoir/database/policies.py and its expected row here")


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_do_to_the_table_what_the_matrix_says(
        world: World, app: Connection, superuser: Connection, tenant_table: str, role: str, operation: str
) -> None:
    expected = operation in EXPECTED[tenant_table][role]
    with acting_as(app, *context_of(world, role)):
        allowed = probe(app, superuser, world, tenant_table, role, operation)
    assert allowed == expected, (
        f"{role} {'can' if allowed else 'cannot'} {OPERATIONS[operation]} {tenant_table}, expected the opposite")
