"""The schema stays distributable by seller_id on Citus (docs/operations.md, "Running on Citus"), read
from pg_catalog after the migrations: which tables are not tenant tables, which keys and foreign keys
Citus would refuse today, each named here with the change it needs, so that a new table or constraint
cannot widen the gap unnoticed."""

from __future__ import annotations

from typing import Any

import pytest

TENANT_COLUMN = "seller_id"

# Tables without seller_id and what they become on Citus.
NOT_DISTRIBUTED = {
    "alembic_version": "stays on the coordinator: migrations read and write it there only",
    "auth_throttle": "stays on the coordinator (citus_add_local_table_to_metadata): log-in rate limits, "
                     "keyed by address or username before any tenant is known, read through definer functions",
    "sandbox_clock": "reference table: one row every node may join against",
}
# Primary keys on id alone (or on the one parent id of a 1:1 row). Citus needs the distribution column in
# every primary key: the change is a migration promoting (seller_id, <key>) to primary key. Tables whose
# (seller_id, <key>) unique index already exists (the composite foreign keys' target) just swap them.
PRIMARY_KEYS_WITHOUT_SELLER = {
    "audit_archives", "audit_log", "background_jobs", "billed_services", "cart_lines", "carts",
    "certificate_orders", "certificate_plans", "certificate_providers", "coupon_redemptions", "coupons",
    "custom_buttons", "customers", "document_renders", "documents", "domain_operations", "domain_plans",
    "domains", "email_attachments", "email_outbox", "email_templates", "gateway_configs",
    "hosting_servers", "invoices", "ip_addresses", "ip_pool", "ledger_accounts", "mass_emails", "offers",
    "order_steps", "orders", "password_resets", "payment_charges", "payment_methods",
    "payment_queue_rows", "payment_refunds", "payments", "provisioning_requests", "registrar_accounts",
    "scheduled_events", "seller_data_keys", "sellers", "server_pool", "service_plans", "sessions",
    "sites", "ssl_certificates", "stores", "subscriptions", "tax_rates", "tax_zones", "tlds",
    "todo_items", "users", "webhook_deliveries", "webhook_endpoints",
}
# ... and these have no (seller_id, <key>) unique index yet: the migration adds seller_id to the key.
PRIMARY_KEYS_NEEDING_A_NEW_KEY = {
    "checkout_keys", "customer_balance_transactions", "customer_tax_profiles", "invoice_lines",
    "ledger_entries", "payment_allocations", "payment_webhook_events", "store_tax_settings", "store_terms",
}
# Foreign keys not on seller_id. Citus refuses a foreign key between distributed tables that does not
# include the distribution column: ip_pool names an address of the PROVIDER's tenant (another shard);
# on Citus it is dropped and the pool guard trigger (comptoir_check_pool_dedication) checks it instead.
FOREIGN_KEYS_WITHOUT_SELLER = {"ip_pool_ip_address_id_fkey"}


def _rows(connection: Any, query: str) -> list[tuple[Any, ...]]:
    return connection.execute(query).fetchall()


@pytest.fixture
def tenant_tables(superuser_connection) -> set[str]:
    return {name for (name,) in _rows(superuser_connection, f"""
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND EXISTS (
               SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = '{TENANT_COLUMN}')""")}


def test_every_table_but_the_named_ones_is_distributed_by_seller_id(superuser_connection, tenant_tables):
    everything = {name for (name,) in _rows(superuser_connection, """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')""")}
    assert everything - tenant_tables == set(NOT_DISTRIBUTED)


def test_unique_constraints_other_than_primary_keys_include_seller_id(superuser_connection):
    offenders = _rows(superuser_connection, f"""
        SELECT i.indexrelid::regclass::text FROM pg_index i
          JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND i.indisunique AND NOT i.indisprimary
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = '{TENANT_COLUMN}')
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid
                            AND a.attnum = ANY(i.indkey) AND a.attname = '{TENANT_COLUMN}')""")
    assert offenders == []


def test_primary_keys_without_seller_id_are_exactly_the_documented_ones(superuser_connection, tenant_tables):
    rows = _rows(superuser_connection, f"""
        SELECT c.relname,
               EXISTS (SELECT 1 FROM pg_index u WHERE u.indrelid = c.oid AND u.indisunique AND NOT u.indisprimary
                          AND u.indnkeyatts = p.indnkeyatts + 1
                          AND (SELECT attnum FROM pg_attribute WHERE attrelid = c.oid
                                  AND attname = '{TENANT_COLUMN}') = ANY(u.indkey)
                          AND (p.indkey::int2[] <@ u.indkey::int2[]))
          FROM pg_index p JOIN pg_class c ON c.oid = p.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND p.indisprimary
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = '{TENANT_COLUMN}')
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = p.indrelid
                            AND a.attnum = ANY(p.indkey) AND a.attname = '{TENANT_COLUMN}')""")
    with_twin = {name for name, twin in rows if twin}
    without_twin = {name for name, twin in rows if not twin}
    assert with_twin == PRIMARY_KEYS_WITHOUT_SELLER
    assert without_twin == PRIMARY_KEYS_NEEDING_A_NEW_KEY


def test_foreign_keys_between_distributed_tables_include_seller_id(superuser_connection):
    offenders = {name for (name,) in _rows(superuser_connection, f"""
        SELECT k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND k.contype = 'f' AND NOT EXISTS (
               SELECT 1 FROM unnest(k.conkey) u(num) JOIN pg_attribute a ON a.attrelid = k.conrelid
                  AND a.attnum = u.num WHERE a.attname = '{TENANT_COLUMN}')""")}
    assert offenders == FOREIGN_KEYS_WITHOUT_SELLER
