"""Billing engine core (issue 11, SPEC §9): per-seller billing settings, billed services (the billing side
of a subscription, domain or certificate), invoices and their lines, gap-free number counters, a
double-entry ledger, customer credit balances and payments applied to invoices.

Guarantees kept by the database, not only by the code:
- a period of a service is billed once: a unique index over (service, period start) of period lines;
- every ledger transaction balances (a deferred constraint trigger, checked at commit);
- an issued invoice never changes: its amounts, number, parties and lines refuse updates (triggers).

Revision ID: 0014
Revises: 0015
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None

BILLING_TABLES = ("billing_settings", "billed_services", "invoices", "invoice_lines", "invoice_number_counters",
                  "ledger_accounts", "ledger_entries", "customer_balance_transactions", "payment_allocations")

TABLES = """
CREATE TABLE billing_settings (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    mode text NOT NULL DEFAULT 'anniversary' CHECK (mode IN ('anniversary', 'monthly')),
    threshold_day smallint NOT NULL DEFAULT 20 CHECK (threshold_day BETWEEN 2 AND 28),
    lead_days_hosting smallint NOT NULL DEFAULT 10 CHECK (lead_days_hosting BETWEEN 0 AND 365),
    lead_days_domain smallint NOT NULL DEFAULT 30 CHECK (lead_days_domain BETWEEN 0 AND 365),
    lead_days_certificate smallint NOT NULL DEFAULT 30 CHECK (lead_days_certificate BETWEEN 0 AND 365),
    due_days smallint NOT NULL DEFAULT 10 CHECK (due_days BETWEEN 0 AND 365),
    max_items_per_invoice smallint NOT NULL DEFAULT 0 CHECK (max_items_per_invoice >= 0),
    numbering_format text NOT NULL DEFAULT 'SEQ'
        CHECK (numbering_format IN ('SEQ', 'YEAR-ID', 'YEAR-SEQ', 'VATYEAR-SEQ')),
    numbering_start bigint NOT NULL DEFAULT 1 CHECK (numbering_start >= 1),
    fiscal_year_start_month smallint NOT NULL DEFAULT 1 CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
    credit_on_immediate_cancel boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE billed_services (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('hosting', 'domain', 'certificate')),
    subject_id uuid,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 255),
    store_id uuid,
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    plan_id uuid,
    cycle text NOT NULL CHECK (cycle IN ('monthly', 'quarterly', 'semi_annual', 'annual', 'biennial', 'triennial')),
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    prorate boolean NOT NULL DEFAULT true,
    anchor_day smallint NOT NULL CHECK (anchor_day BETWEEN 1 AND 31),
    started_on date NOT NULL,
    billed_through date,
    paid_through date,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    ends_on date,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    CHECK (kind <> 'domain' OR cycle IN ('annual', 'biennial', 'triennial'))
);
CREATE INDEX billed_services_seller ON billed_services (seller_id, status, billed_through);
CREATE INDEX billed_services_customer ON billed_services (seller_id, customer_id);
CREATE INDEX billed_services_subject ON billed_services (seller_id, subject_id);

CREATE TABLE invoices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    number text,
    kind text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'issued', 'paid', 'partially_paid', 'overdue', 'void', 'action_required')),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    issue_date date,
    due_date date,
    net_total bigint NOT NULL DEFAULT 0,
    tax_total bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL DEFAULT 0,
    amount_paid bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
    reverse_charge boolean NOT NULL DEFAULT false,
    tax_note text NOT NULL DEFAULT '',
    tax_breakdown jsonb NOT NULL DEFAULT '[]',
    seller_snapshot jsonb NOT NULL DEFAULT '{}',
    customer_snapshot jsonb NOT NULL DEFAULT '{}',
    recipients text[] NOT NULL DEFAULT '{}',
    language text NOT NULL DEFAULT 'en',
    order_id uuid,
    credited_invoice_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    issued_at timestamptz,
    paid_at timestamptz,
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, number),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, credited_invoice_id) REFERENCES invoices (seller_id, id),
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK (status = 'draft' OR issue_date IS NOT NULL),
    CHECK (total = net_total + tax_total),
    CHECK (amount_paid <= greatest(total, 0)),
    CHECK ((kind = 'credit_note') = (credited_invoice_id IS NOT NULL))
);
CREATE INDEX invoices_seller ON invoices (seller_id, status, issue_date, id);
CREATE INDEX invoices_customer ON invoices (seller_id, customer_id, issue_date, id);

CREATE TABLE invoice_lines (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    invoice_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    position integer NOT NULL,
    service_id uuid,
    period_start date,
    period_end date,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    quantity numeric(12, 3) NOT NULL DEFAULT 1,
    unit_price_minor bigint NOT NULL,
    net_minor bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('recurring', 'setup', 'proration', 'one_off', 'credit', 'discount',
                                       'overage')),
    tax_category text NOT NULL DEFAULT 'O',
    tax_rate numeric(7, 4) NOT NULL DEFAULT 0,
    tax_minor bigint NOT NULL DEFAULT 0,
    coupon_id uuid,
    UNIQUE (seller_id, invoice_id, position),
    FOREIGN KEY (seller_id, invoice_id) REFERENCES invoices (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, service_id) REFERENCES billed_services (seller_id, id) ON DELETE CASCADE,
    CHECK ((period_start IS NULL) = (period_end IS NULL) AND (period_end IS NULL OR period_end >= period_start)),
    CHECK (kind NOT IN ('recurring', 'proration') OR (service_id IS NOT NULL AND period_start IS NOT NULL)),
    CHECK (kind <> 'discount' OR net_minor <= 0)
);
-- A period of a service is billed once, whoever bills it (generation, checkout, a retry after a crash).
CREATE UNIQUE INDEX invoice_lines_period_once ON invoice_lines (seller_id, service_id, period_start)
    WHERE kind IN ('recurring', 'proration');
CREATE INDEX invoice_lines_invoice ON invoice_lines (seller_id, invoice_id, position);

CREATE TABLE invoice_number_counters (
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    series text NOT NULL CHECK (series IN ('invoice', 'credit_note')),
    period text NOT NULL DEFAULT '',
    last_value bigint NOT NULL CHECK (last_value >= 1),
    PRIMARY KEY (seller_id, series, period)
);

CREATE TABLE ledger_accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_:.]{0,99}$'),
    name text NOT NULL,
    type text NOT NULL CHECK (type IN ('asset', 'liability', 'revenue', 'expense')),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, code)
);

CREATE TABLE ledger_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    transaction_id uuid NOT NULL,
    account_id uuid NOT NULL,
    customer_id uuid,
    currency char(3) NOT NULL,
    debit_minor bigint NOT NULL DEFAULT 0 CHECK (debit_minor >= 0),
    credit_minor bigint NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),
    invoice_id uuid,
    posted_on date NOT NULL,
    memo text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (seller_id, account_id) REFERENCES ledger_accounts (seller_id, id) ON DELETE CASCADE,
    CHECK (debit_minor = 0 OR credit_minor = 0)
);
CREATE INDEX ledger_entries_transaction ON ledger_entries (seller_id, transaction_id);
CREATE INDEX ledger_entries_account ON ledger_entries (seller_id, account_id, customer_id, posted_on);

CREATE TABLE customer_balance_transactions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    currency char(3) NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
    kind text NOT NULL CHECK (kind IN ('overpayment', 'manual', 'applied', 'credit_note', 'downgrade',
                                       'cancellation')),
    invoice_id uuid,
    reference text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    occurred_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_balance_transactions_customer ON customer_balance_transactions
    (seller_id, customer_id, currency, occurred_on);

CREATE TABLE payment_allocations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    currency char(3) NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    method text NOT NULL CHECK (method ~ '^[a-z][a-z0-9_]{0,39}$'),
    reference text NOT NULL DEFAULT '',
    payment_id uuid,
    received_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (seller_id, invoice_id) REFERENCES invoices (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX payment_allocations_invoice ON payment_allocations (seller_id, invoice_id);
CREATE INDEX payment_allocations_customer ON payment_allocations (seller_id, customer_id, received_on);
"""

GUARDS = """
CREATE FUNCTION comptoir_ledger_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transaction_id = NEW.transaction_id
               GROUP BY e.currency HAVING sum(e.debit_minor) <> sum(e.credit_minor)) THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT OR UPDATE ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION comptoir_ledger_balanced();

CREATE FUNCTION comptoir_issued_invoice_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' AND (
        NEW.number IS DISTINCT FROM OLD.number OR NEW.kind <> OLD.kind OR NEW.customer_id <> OLD.customer_id
        OR NEW.currency <> OLD.currency OR NEW.issue_date IS DISTINCT FROM OLD.issue_date
        OR NEW.due_date IS DISTINCT FROM OLD.due_date OR NEW.net_total <> OLD.net_total
        OR NEW.tax_total <> OLD.tax_total OR NEW.total <> OLD.total OR NEW.reverse_charge <> OLD.reverse_charge
        OR NEW.tax_note <> OLD.tax_note OR NEW.tax_breakdown <> OLD.tax_breakdown
        OR NEW.seller_snapshot <> OLD.seller_snapshot OR NEW.customer_snapshot <> OLD.customer_snapshot
        OR NEW.credited_invoice_id IS DISTINCT FROM OLD.credited_invoice_id OR NEW.status = 'draft') THEN
        RAISE EXCEPTION 'invoice % is issued: it never changes (issue a credit note)', OLD.number
            USING ERRCODE = '55000';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoices_issued_frozen BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION comptoir_issued_invoice_frozen();

CREATE FUNCTION comptoir_issued_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- What a line says is frozen once its invoice is issued (row security alone judges its tenant).
    IF TG_OP = 'UPDATE' AND (NEW.invoice_id, NEW.customer_id, NEW.position, NEW.service_id, NEW.period_start,
            NEW.period_end, NEW.description, NEW.quantity, NEW.unit_price_minor, NEW.net_minor, NEW.kind,
            NEW.tax_category, NEW.tax_rate, NEW.tax_minor, NEW.coupon_id) IS NOT DISTINCT FROM
            (OLD.invoice_id, OLD.customer_id, OLD.position, OLD.service_id, OLD.period_start, OLD.period_end,
            OLD.description, OLD.quantity, OLD.unit_price_minor, OLD.net_minor, OLD.kind, OLD.tax_category,
            OLD.tax_rate, OLD.tax_minor, OLD.coupon_id) THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM invoices i WHERE i.id IN (NEW.invoice_id, OLD.invoice_id) AND i.status <> 'draft') THEN
        RAISE EXCEPTION 'the lines of an issued invoice never change' USING ERRCODE = '55000';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_lines_issued_frozen BEFORE INSERT OR UPDATE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION comptoir_issued_lines_frozen();
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(GUARDS)
    for table in BILLING_TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {', '.join(reversed(BILLING_TABLES))} CASCADE")
    op.execute("DROP FUNCTION IF EXISTS comptoir_ledger_balanced(), comptoir_issued_invoice_frozen(),"
               " comptoir_issued_lines_frozen()")
