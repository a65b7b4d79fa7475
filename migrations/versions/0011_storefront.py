"""Online stores, offers, carts, orders and idempotency keys (issue 9).

- `stores`: a seller's shops. Slugs and custom hostnames are unique across the instance (a visitor
  names a store by either before any tenant is known): checked by a definer trigger serialised per
  name, like usernames, and found by the narrow `comptoir_store_lookup` (published stores only, ids).
- `store_terms`: versioned terms and conditions; `offers`: what a store sells (prices per cycle in
  minor units of the store's currency, per-language names).
- `carts` and `cart_lines`: a visitor's cart is reachable only by presenting its secret, stated to the
  database per transaction as `comptoir.cart_token` (`comptoir_current_cart()`): the storefront role
  sees the presented cart, its lines, its order and its idempotency keys, nothing else of them.
- `orders`: created "pending" by checkout, one per cart; the order-to-provision flow (later work)
  hangs its steps (intents) on `orders.id` and moves `status` on.
- `checkout_keys`: Idempotency-Key of `checkoutComplete`, unique per store, kept at least 24 hours.
- `customers`: a store's checkout creates pending customers (INSERT for the storefront role), and a
  cancelled customer stays for future reference (status `cancelled`).
- `branding`: readable by a store's visitor, so that the seller's custom hostnames serve its
  white-label panel log-in page with its look.
- `comptoir_recent_order_count`: how many orders of the current seller came from one address lately,
  for the fraud rule; a count only.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import definer_function, role_aware_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE stores (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    hostnames text[] NOT NULL DEFAULT '{}' CHECK (cardinality(hostnames) <= 20),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    languages text[] NOT NULL DEFAULT '{en}' CHECK (cardinality(languages) BETWEEN 1 AND 30),
    default_language text NOT NULL DEFAULT 'en',
    payment_methods text[] NOT NULL DEFAULT '{}',
    fraud_policy jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(fraud_policy) = 'object'),
    published boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    CHECK (default_language = ANY (languages))
);
CREATE INDEX stores_seller ON stores (seller_id, created_at, id);
CREATE INDEX stores_hostnames ON stores USING gin (hostnames);
CREATE INDEX stores_slug ON stores (slug);

CREATE TABLE store_terms (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    store_id uuid NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, store_id, version),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE
);

CREATE TABLE offers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    store_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('service', 'addon')),
    names jsonb NOT NULL CHECK (jsonb_typeof(names) = 'object'),
    descriptions jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(descriptions) = 'object'),
    prices jsonb NOT NULL CHECK (jsonb_typeof(prices) = 'object'),
    setup_fee bigint NOT NULL DEFAULT 0 CHECK (setup_fee >= 0),
    addon_offer_ids uuid[] NOT NULL DEFAULT '{}',
    position integer NOT NULL DEFAULT 0,
    hidden boolean NOT NULL DEFAULT false,
    published boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, plan_id) REFERENCES service_plans (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX offers_store ON offers (seller_id, store_id, position, id);

CREATE TABLE carts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    store_id uuid NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    language text NOT NULL DEFAULT 'en',
    buyer jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(buyer) = 'object'),
    payment_method text NOT NULL DEFAULT '',
    coupon_code text NOT NULL DEFAULT '' CHECK (length(coupon_code) <= 64),
    terms_version integer,
    terms_accepted_at timestamptz,
    terms_accepted_from text NOT NULL DEFAULT '',
    client_address text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, token_hash),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE
);

CREATE TABLE cart_lines (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    cart_id uuid NOT NULL,
    offer_id uuid NOT NULL,
    cycle text NOT NULL,
    addon_offer_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(addon_offer_ids) <= 50),
    domain_action text NOT NULL DEFAULT 'use_own' CHECK (domain_action IN ('use_own', 'register', 'transfer')),
    domain_name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, cart_id) REFERENCES carts (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, offer_id) REFERENCES offers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX cart_lines_cart ON cart_lines (seller_id, cart_id, created_at);

CREATE TABLE orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    store_id uuid NOT NULL,
    cart_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'invoiced', 'paid', 'provisioning', 'completed', 'cancelled', 'failed')),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total bigint NOT NULL CHECK (total >= 0),
    lines jsonb NOT NULL CHECK (jsonb_typeof(lines) = 'array'),
    buyer jsonb NOT NULL CHECK (jsonb_typeof(buyer) = 'object'),
    payment_method text NOT NULL,
    coupon_code text NOT NULL DEFAULT '',
    terms_version integer NOT NULL,
    terms_accepted_at timestamptz NOT NULL,
    client_address text NOT NULL DEFAULT '',
    review text NOT NULL CHECK (review IN ('automatic', 'manual')),
    fraud_findings text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, cart_id),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, cart_id) REFERENCES carts (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX orders_seller ON orders (seller_id, created_at, id);
CREATE INDEX orders_customer ON orders (seller_id, customer_id);
CREATE INDEX orders_address ON orders (seller_id, client_address, created_at);

CREATE TABLE checkout_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    store_id uuid NOT NULL,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    cart_id uuid NOT NULL,
    fingerprint bytea NOT NULL,
    order_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, store_id, key),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, cart_id) REFERENCES carts (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, order_id) REFERENCES orders (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX checkout_keys_age ON checkout_keys (seller_id, created_at);

ALTER TABLE customers DROP CONSTRAINT customers_status_check;
ALTER TABLE customers ADD CONSTRAINT customers_status_check
    CHECK (status IN ('active', 'suspended', 'pending', 'fraudulent', 'cancelled'));
"""

CART_FUNCTION = """
CREATE OR REPLACE FUNCTION comptoir_current_cart() RETURNS bytea LANGUAGE sql STABLE
AS $$ SELECT decode(nullif(current_setting('comptoir.cart_token', true), ''), 'hex') $$"""

STORE_ADDRESS_TRIGGER = [
    # Slugs and hostnames name a store before any tenant is known, so they are unique across the
    # instance; a unique index without seller_id would leak other tenants' values, so the check runs
    # as the definer, serialised per name by advisory locks (taken in order: no deadlock).
    """CREATE OR REPLACE FUNCTION comptoir_check_store_address() RETURNS trigger LANGUAGE plpgsql
       SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
       DECLARE name text;
       BEGIN
         FOR name IN SELECT DISTINCT n FROM unnest(array_append(NEW.hostnames, NEW.slug)) n ORDER BY n LOOP
           PERFORM pg_advisory_xact_lock(hashtextextended('store:' || name, 0));
         END LOOP;
         IF EXISTS (SELECT 1 FROM stores WHERE id <> NEW.id AND (slug = NEW.slug OR hostnames @> ARRAY[NEW.slug])) THEN
           RAISE EXCEPTION 'store slug % is taken', NEW.slug
             USING ERRCODE = 'unique_violation', CONSTRAINT = 'stores_slug_unique';
         END IF;
         IF EXISTS (SELECT 1 FROM stores WHERE id <> NEW.id
                     AND (hostnames && NEW.hostnames OR slug = ANY (NEW.hostnames))) THEN
           RAISE EXCEPTION 'a hostname is taken'
             USING ERRCODE = 'unique_violation', CONSTRAINT = 'stores_hostname_unique';
         END IF;
         RETURN NEW;
       END $fn$""",
    "ALTER FUNCTION comptoir_check_store_address() OWNER TO comptoir_definer",
    "REVOKE ALL ON FUNCTION comptoir_check_store_address() FROM PUBLIC",
    """CREATE TRIGGER stores_address_unique BEFORE INSERT OR UPDATE OF slug, hostnames ON stores
       FOR EACH ROW EXECUTE FUNCTION comptoir_check_store_address()""",
]

LOOKUPS = [
    # A visitor names a store by slug or hostname: the store's and seller's ids, published stores only
    # (`@>` so that the GIN index on hostnames serves the look-up).
    *definer_function(
        "comptoir_store_lookup(p_key text)",
        """SELECT s.id, s.seller_id FROM stores s JOIN sellers r ON r.id = s.seller_id
            WHERE s.published AND r.status = 'active' AND length(p_key) <= 255
              AND (s.slug = lower(p_key) OR s.hostnames @> ARRAY[lower(p_key)])""",
        returns="TABLE (store_id uuid, seller_id uuid)",
    ),
    *definer_function(
        "comptoir_store_by_id(p_store_id uuid)",
        """SELECT s.id, s.seller_id FROM stores s JOIN sellers r ON r.id = s.seller_id
            WHERE s.id = p_store_id AND s.published AND r.status = 'active'""",
        returns="TABLE (store_id uuid, seller_id uuid)",
    ),
    # The fraud rule "too many orders from one address in an hour" runs for a visitor, who reads no
    # order but its own: a count for the current seller only.
    *definer_function(
        "comptoir_recent_order_count(p_address text, p_seconds integer)",
        """SELECT count(*)::integer FROM orders
            WHERE seller_id = (SELECT comptoir_current_seller()) AND client_address = p_address
              AND created_at > now() - make_interval(secs => least(greatest(p_seconds, 1), 86400))""",
        returns="integer",
    ),
]

NEW_TABLES = ("stores", "store_terms", "offers", "carts", "cart_lines", "orders", "checkout_keys")


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(CART_FUNCTION)
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in [*STORE_ADDRESS_TRIGGER, "GRANT SELECT ON stores, orders TO comptoir_definer", *LOOKUPS]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")
    for table in (*NEW_TABLES, "customers", "branding"):
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS checkout_keys, orders, cart_lines, carts, offers, store_terms, stores")
    for signature in ("comptoir_store_lookup(text)", "comptoir_store_by_id(uuid)",
                      "comptoir_recent_order_count(text, integer)", "comptoir_check_store_address()",
                      "comptoir_current_cart()"):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute("ALTER TABLE customers DROP CONSTRAINT customers_status_check")
    op.execute("ALTER TABLE customers ADD CONSTRAINT customers_status_check"
               " CHECK (status IN ('active', 'suspended', 'pending', 'fraudulent'))")
