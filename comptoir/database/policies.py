"""Who may do what to each tenant table: the one declaration migrations turn into policies.

Per table and role (provider, reseller = staff of the current seller, customer, storefront, system =
a worker acting for one seller), the operations allowed and, where narrower than "every row of the
current seller", which rows. Tenant isolation is always added on top (the provider alone reads across
sellers), and a customer is always confined to its own rows of a table with `customer_column`.
A role absent from a table's grants can do nothing there.

Changing an entry changes nothing in a database already migrated: add a migration that re-applies the
table (`role_aware_table(POLICIES["table"])`). tests/isolation/test_role_matrix.py holds, apart from
this file, the matrix these declarations must produce.
"""

from __future__ import annotations

from comptoir.database.rls import EVERYTHING, Grant, Operation, TablePolicy, grant

SELECT, INSERT, UPDATE, DELETE = Operation.SELECT, Operation.INSERT, Operation.UPDATE, Operation.DELETE

# Rows a customer may read although they are the seller's: what its own subscriptions point at.
_CUSTOMER = "(SELECT comptoir_current_customer())"
OWN_SUBSCRIPTIONS = f"SELECT s.{{column}} FROM subscriptions s WHERE s.customer_id = {_CUSTOMER}"
PLANS_OF_OWN_SUBSCRIPTIONS = (
    f"id IN ({OWN_SUBSCRIPTIONS.format(column='plan_id')})"
    f" OR id IN (SELECT a.addon_id FROM subscription_addons a WHERE a.customer_id = {_CUSTOMER})"
)
POOL_ENTRIES_OF_OWN_SUBSCRIPTIONS = f"id IN ({OWN_SUBSCRIPTIONS.format(column='ip_pool_id')})"
PROVISIONING_OF_OWN_SUBSCRIPTIONS = f"subscription_id IN ({OWN_SUBSCRIPTIONS.format(column='id')})"
SERVERS_OF_OWN_SUBSCRIPTIONS = f"id IN ({OWN_SUBSCRIPTIONS.format(column='server_pool_id')})"
# A visitor of a store (storefront role) sees published catalog rows, and of carts only the one whose
# secret the request presented (comptoir.cart_token, migration 0011), with what hangs on it.
PUBLISHED_STORE = "store_id IN (SELECT s.id FROM stores s WHERE s.published)"
PRESENTED_CART = "token_hash = (SELECT comptoir_current_cart())"
OF_PRESENTED_CART = "cart_id IN (SELECT c.id FROM carts c WHERE c.token_hash = (SELECT comptoir_current_cart()))"
OWN_ORDER = f"order_id IN (SELECT o.id FROM orders o WHERE o.customer_id = {_CUSTOMER})"
OF_PRESENTED_ORDER = ("order_id IN (SELECT o.id FROM orders o JOIN carts c ON c.id = o.cart_id"
                      " WHERE c.token_hash = (SELECT comptoir_current_cart()))")
# The buyer of the visitor's presented cart (the customer its checkout made).
OF_BUYER = ("customer_id IN (SELECT o.customer_id FROM orders o JOIN carts c ON c.id = o.cart_id"
            " WHERE c.token_hash = (SELECT comptoir_current_cart()))")
BUTTONS_FOR_CUSTOMERS = (
    "location IN ('customer_home', 'customer_websites', 'common') AND NOT visible_only_to_me")

READ = grant(SELECT)
READ_UPDATE = grant(SELECT, UPDATE)


def _staff(*, reseller: Grant = EVERYTHING, system: Grant = EVERYTHING, **others: Grant) -> dict[str, Grant]:
    """The provider may do everything everywhere; the seller's staff and its workers as given."""
    return {"provider": EVERYTHING, "reseller": reseller, "system": system, **others}


TABLES: tuple[TablePolicy, ...] = (
    # -- tenancy (0001) --------------------------------------------------------------------------
    # A seller changes its own settings; creating sellers and allocations is the provider's (0003's
    # guards also keep kind, status, limits, permissions and overselling to it).
    TablePolicy("sellers", _staff(reseller=READ_UPDATE, system=READ_UPDATE, customer=READ)),
    TablePolicy("reseller_allocations", _staff(reseller=READ_UPDATE, system=READ_UPDATE)),
    # A store's checkout creates its buyer as a pending customer (0011); the visitor reads none back.
    TablePolicy("customers", _staff(customer=READ, storefront=grant(INSERT)), customer_column="id"),
    # A customer edits its own profile, preferences and password, nothing else of its user.
    TablePolicy("users", _staff(customer=READ_UPDATE), customer_column="customer_id", customer_may_change=(
        "full_name", "email", "phone", "country", "locale", "theme", "button_label_length", "password_hash",
        "password_changed_at", "updated_at")),
    # Log-in opens the session in the user's own context; log-out and "sign out elsewhere" revoke.
    TablePolicy("sessions", _staff(customer=grant(SELECT, INSERT, UPDATE)), customer_column="customer_id",
                customer_may_change=("revoked_at", "last_seen_at")),
    # Changing one's password voids one's outstanding reset links.
    TablePolicy("password_resets", _staff(customer=READ_UPDATE), customer_column="customer_id",
                customer_may_change=("used_at",)),
    TablePolicy("email_outbox", _staff(), customer_column="customer_id"),
    # -- hosting (0002) --------------------------------------------------------------------------
    TablePolicy("service_plans", _staff(customer=grant(SELECT, rows=PLANS_OF_OWN_SUBSCRIPTIONS))),
    # The provider registers addresses and assigns them: a reseller only reads its pool and picks the
    # default site of an entry (the pool guard keeps type and address to the provider).
    TablePolicy("ip_addresses", _staff(reseller=READ)),
    TablePolicy("ip_pool", _staff(reseller=READ_UPDATE,
                                  customer=grant(SELECT, rows=POOL_ENTRIES_OF_OWN_SUBSCRIPTIONS))),
    # A customer changes the PHP settings of its own subscriptions and sites (SPEC §4.4).
    # (0010: and the service settings its permissions let it manage, checked per setting by the service)
    TablePolicy("subscriptions", _staff(customer=READ_UPDATE), customer_column="customer_id",
                customer_may_change=("customization.php_directives", "updated_at", "values.hosting",
                                     "values.php", "values.mail", "values.dns", "values.performance",
                                     "values.logs")),
    TablePolicy("subscription_addons", _staff(customer=READ), customer_column="customer_id"),
    TablePolicy("sites", _staff(customer=READ_UPDATE), customer_column="customer_id",
                customer_may_change=("php_directives",)),
    TablePolicy("background_jobs", _staff()),
    TablePolicy("skeletons", _staff()),
    # A seller's look is public on its own hostnames (white-label log-in page, 0011).
    TablePolicy("branding", _staff(customer=READ, storefront=READ)),
    TablePolicy("custom_buttons", _staff(customer=grant(SELECT, rows=BUTTONS_FOR_CUSTOMERS))),
    # -- provisioning (0005) ---------------------------------------------------------------------
    # A customer's own change of its service or PHP settings asks for its webspace to follow (0010).
    TablePolicy("provisioning_requests", _staff(customer=grant(SELECT, INSERT, rows=PROVISIONING_OF_OWN_SUBSCRIPTIONS))),
    # -- intents and scheduled events (0006) -----------------------------------------------------
    # Seller staff read their events and run one now (an update); the scheduler, as system, does the rest.
    TablePolicy("scheduled_events", _staff(reseller=READ_UPDATE)),
    # -- usage (0009) ----------------------------------------------------------------------------
    # Workers collect usage and keep the overuse state; staff read them, a customer its subscriptions' usage.
    TablePolicy("subscription_usage", _staff(reseller=READ, customer=grant(
        SELECT, rows=f"subscription_id IN ({OWN_SUBSCRIPTIONS.format(column='id')})"))),
    TablePolicy("usage_alerts", _staff(reseller=READ)),
    # Staff choose who is told about overuse; workers read it.
    TablePolicy("usage_notification_settings", _staff(reseller=grant(SELECT, INSERT, UPDATE), system=READ)),
    # -- hosting servers and certificate stores (0010) ----------------------------------------------
    # The provider registers servers and assigns them (entries in the reseller's pool, as for addresses);
    # a customer reads the server its own subscriptions live on. Certificates (with their private keys)
    # are the seller's alone.
    TablePolicy("hosting_servers", _staff(reseller=READ)),
    TablePolicy("server_pool", _staff(reseller=READ, customer=grant(SELECT, rows=SERVERS_OF_OWN_SUBSCRIPTIONS))),
    TablePolicy("ssl_certificates", _staff()),
    # -- storefront tables (later issue): catalog rows with storefront=grant(SELECT, rows="published"),
    # carts and orders with storefront=grant(INSERT) (docs/tenancy.md).
    # -- storefront (0011) ------------------------------------------------------------------------
    TablePolicy("stores", _staff(storefront=grant(SELECT, rows="published"))),
    TablePolicy("store_terms", _staff(storefront=grant(SELECT, rows=PUBLISHED_STORE))),
    TablePolicy("offers", _staff(storefront=grant(SELECT, rows=f"published AND {PUBLISHED_STORE}"))),
    TablePolicy("carts", _staff(storefront=grant(SELECT, INSERT, UPDATE, rows=PRESENTED_CART))),
    TablePolicy("cart_lines", _staff(storefront=grant(SELECT, INSERT, UPDATE, DELETE, rows=OF_PRESENTED_CART))),
    # Checkout writes the order; its customer reads its own orders.
    TablePolicy("orders", _staff(customer=READ, storefront=grant(SELECT, INSERT, rows=OF_PRESENTED_CART)),
                customer_column="customer_id"),
    TablePolicy("checkout_keys", _staff(storefront=grant(SELECT, INSERT, UPDATE, rows=OF_PRESENTED_CART))),
    # -- order flow (0024) ------------------------------------------------------------------------
    # Checkout writes its order's first step; whoever pays the first invoice (staff, a customer) writes the
    # next one; workers perform the steps, staff read and retry them.
    TablePolicy("order_steps", _staff(reseller=grant(SELECT, INSERT, UPDATE), customer=grant(INSERT, rows=OWN_ORDER),
                                      storefront=grant(INSERT, rows=OF_PRESENTED_ORDER))),
    # -- seller home (0013) -----------------------------------------------------------------------
    # Workers create to-do items for a person; staff read them and mark them done.
    TablePolicy("todo_items", _staff(reseller=READ_UPDATE)),
    # -- audit log (0022) -------------------------------------------------------------------------
    # Whoever changes rows writes their audit rows in the same transaction; nobody rewrites them. Staff
    # read their seller's, a customer the rows of its own actions; workers move old rows to archives.
    TablePolicy("audit_log", {"provider": grant(SELECT, INSERT, DELETE), "reseller": grant(SELECT, INSERT),
                              "customer": grant(SELECT, INSERT), "storefront": grant(INSERT),
                              "system": grant(SELECT, INSERT, DELETE)}, customer_column="customer_id"),
    TablePolicy("audit_archives", _staff(reseller=READ)),
    # -- outgoing webhooks (0023) -----------------------------------------------------------------
    # The seller's staff manage endpoints and read (resend) deliveries; whatever emits an event (a customer
    # changing its subscription, a storefront checkout) writes the delivery intents, learning the
    # subscribed endpoints' ids only (comptoir_webhook_endpoints_for, 0023).
    TablePolicy("webhook_endpoints", _staff()),
    TablePolicy("webhook_deliveries", _staff(reseller=grant(SELECT, INSERT), customer=grant(INSERT),
                                             storefront=grant(INSERT))),
    # -- taxes and coupons (0015) -------------------------------------------------------------------
    # Staff configure taxes and coupons; workers read them when they issue invoices. A customer reads its
    # own tax profile; of coupons it sees nothing but what a store tells it. A store's visitor may look up
    # active coupons to check a code in its cart; redemptions are written by the checkout's workers.
    TablePolicy("tax_zones", _staff()),
    TablePolicy("tax_rates", _staff()),
    TablePolicy("store_tax_settings", _staff()),
    TablePolicy("customer_tax_profiles", _staff(customer=READ), customer_column="customer_id"),
    TablePolicy("coupons", _staff(storefront=grant(SELECT, rows="active"))),
    TablePolicy("coupon_redemptions", _staff(reseller=READ), customer_column="customer_id"),
    TablePolicy("coupon_applications", _staff(reseller=READ)),
    # -- billing (0014) ---------------------------------------------------------------------------
    # Staff and workers bill; a customer reads its own services, invoices, lines, credit and payments.
    # Issued invoices are frozen by triggers; ledger entries and credit movements are append-only.
    TablePolicy("billing_settings", _staff(reseller=grant(SELECT, INSERT, UPDATE))),
    TablePolicy("billed_services", _staff(customer=READ), customer_column="customer_id"),
    TablePolicy("invoices", _staff(customer=READ), customer_column="customer_id"),
    TablePolicy("invoice_lines", _staff(customer=READ), customer_column="customer_id"),
    TablePolicy("invoice_number_counters", _staff(reseller=grant(SELECT, INSERT, UPDATE),
                                                  system=grant(SELECT, INSERT, UPDATE))),
    TablePolicy("ledger_accounts", _staff(reseller=grant(SELECT, INSERT), system=grant(SELECT, INSERT))),
    TablePolicy("ledger_entries", _staff(reseller=grant(SELECT, INSERT), system=grant(SELECT, INSERT)),
                customer_column="customer_id"),
    TablePolicy("customer_balance_transactions", _staff(reseller=grant(SELECT, INSERT), system=grant(SELECT, INSERT),
                                                        customer=READ), customer_column="customer_id"),
    TablePolicy("payment_allocations", _staff(reseller=grant(SELECT, INSERT), system=grant(SELECT, INSERT),
                                              customer=READ), customer_column="customer_id"),
    # -- payment queue (0025): staff and the daily worker generate and run it; customers see nothing.
    TablePolicy("payment_queue_rows", _staff(), customer_column="customer_id"),
    # -- payments (0016) ----------------------------------------------------------------------------
    # Staff configure gateways (secrets sealed in `settings`); customers and visitors read enabled ones.
    TablePolicy("gateway_configs", _staff(system=READ, customer=grant(SELECT, rows="enabled"),
                                          storefront=grant(SELECT, rows="enabled"))),
    TablePolicy("store_gateways", _staff(system=READ, customer=READ, storefront=READ)),
    # A customer keeps its own cards and accounts; a visitor's checkout saves the buyer's card.
    TablePolicy("payment_methods", _staff(customer=EVERYTHING, storefront=grant(SELECT, INSERT, rows=OF_BUYER)),
                customer_column="customer_id", customer_may_change=("is_default",)),
    TablePolicy("payments", _staff(customer=READ, storefront=grant(SELECT, INSERT, rows=OF_BUYER)),
                customer_column="customer_id"),
    # A customer asks for its payment to be completed after authenticating (an intent the worker performs).
    TablePolicy("payment_charges", _staff(customer=grant(SELECT, INSERT),
                                          storefront=grant(SELECT, INSERT, rows=OF_BUYER)),
                customer_column="customer_id"),
    TablePolicy("payment_refunds", _staff(reseller=grant(SELECT, INSERT))),
    TablePolicy("payment_webhook_events", _staff(reseller=READ, system=grant(SELECT, INSERT))),
    TablePolicy("payment_settings", _staff(system=READ)),
    # -- encryption at rest (0017) ------------------------------------------------------------------
    # Wrapped data keys: staff read their mode and set a passphrase (which may create the first key); the
    # seam itself reads and creates keys in short provider transactions. Never a customer's or a visitor's.
    TablePolicy("seller_data_keys", _staff(reseller=grant(SELECT, INSERT, UPDATE))),
    # -- e-mails (0018): staff keep their templates, SMTP server and mailings; workers only read the
    # SMTP settings, and write the e-mails (with their attachments) a mailing makes.
    TablePolicy("mass_emails", _staff()),
    TablePolicy("email_attachments", _staff()),
    TablePolicy("email_templates", _staff()),
    TablePolicy("smtp_settings", _staff(system=READ)),
    # -- domains and certificates (0020) --------------------------------------------------------------
    # Registrar and CA settings are the seller's secrets (sealed); a store's visitor reads the enabled
    # registrar accounts and the TLDs, so that its cart checks a name's availability.
    TablePolicy("registrar_accounts", _staff(storefront=grant(SELECT, rows="enabled"))),
    TablePolicy("tlds", _staff(storefront=READ)),
    TablePolicy("domain_plans", _staff()),
    TablePolicy("domain_plan_tlds", _staff()),
    TablePolicy("domains", _staff(customer=READ), customer_column="customer_id"),
    TablePolicy("domain_operations", _staff(), customer_column="customer_id"),
    TablePolicy("certificate_providers", _staff()),
    TablePolicy("certificate_plans", _staff(customer=READ)),
    # A customer answers the provider's questions: its answers, which hand the order back to the worker.
    TablePolicy("certificate_orders", _staff(customer=READ_UPDATE), customer_column="customer_id",
                customer_may_change=("answers", "state", "status", "next_attempt_at", "updated_at")),
    # -- documents (0019) -------------------------------------------------------------------------
    # Staff choose their layout; workers read it only through the render requests that froze it.
    TablePolicy("invoice_layouts", _staff(reseller=grant(SELECT, INSERT, UPDATE), system=READ)),
    # Issuing an invoice (staff or a worker) writes the request; the worker renders it and marks it done.
    TablePolicy("document_renders", _staff(reseller=grant(SELECT, INSERT), system=grant(SELECT, INSERT, UPDATE)),
                customer_column="customer_id"),
    # Issued documents are immutable: the worker writes them once, the seller's staff and workers never
    # update or delete them, and a trigger refuses any change of their bytes, whoever asks (0019).
    # A customer reads its own, except schet-facturas.
    TablePolicy("documents", _staff(reseller=READ, system=grant(SELECT, INSERT),
                                    customer=grant(SELECT, rows="kind <> 'schet_factura'")),
                customer_column="customer_id"),
)

POLICIES: dict[str, TablePolicy] = {policy.table: policy for policy in TABLES}
