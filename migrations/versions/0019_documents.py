"""Documents (issue 12): invoice layouts per seller, render requests (an intent kind) and the stored
PDFs of issued invoices, credit notes, statements and schet-facturas.

A document is rendered once, from the snapshot its render request froze at issue time, and its bytes
and SHA-256 stored; a trigger refuses any UPDATE of a stored document and a second document for the
same subject and kind (the tax office rule: an issued document never changes). Customers read their
own documents except schet-facturas (staff only, comptoir/database/policies.py).

Revision ID: 0019
Revises: 0020
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0019"
down_revision = "0020"
branch_labels = None
depends_on = None

KINDS = "('invoice', 'credit_note', 'statement', 'schet_factura')"

# What a render request and the document it makes both say: whose, what for, for whom, in which language.
# A customer's deletion keeps the documents issued to it (the tax office rule).
ABOUT = f"""    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN {KINDS}),
    subject_type text NOT NULL CHECK (subject_type ~ '^[A-Z][A-Za-z]{{0,63}}$'),
    subject_id uuid NOT NULL,
    customer_id uuid,
    language text NOT NULL CHECK (language ~ '^[a-z]{{2}}$'),
    filename text NOT NULL CHECK (filename ~ '^[A-Za-z0-9._-]{{1,200}}$'),
"""
KEYS = """UNIQUE (seller_id, id),
    UNIQUE (seller_id, subject_type, subject_id, kind),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE SET NULL (customer_id)"""

TABLES = f"""
CREATE TABLE invoice_layouts (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    primary_colour text NOT NULL DEFAULT '#1f3a5f' CHECK (primary_colour ~ '^#[0-9a-fA-F]{{6}}$'),
    accent_colour text NOT NULL DEFAULT '#e8eef5' CHECK (accent_colour ~ '^#[0-9a-fA-F]{{6}}$'),
    font text NOT NULL DEFAULT 'DejaVu Sans' CHECK (font IN ('DejaVu Sans', 'DejaVu Serif')),
    header_text text NOT NULL DEFAULT '' CHECK (length(header_text) <= 1000),
    footer_text text NOT NULL DEFAULT '' CHECK (length(footer_text) <= 1000),
    address_position text NOT NULL DEFAULT 'din_5008_b'
        CHECK (address_position IN ('din_5008_a', 'din_5008_b', 'custom')),
    address_top_mm numeric(5, 1) NOT NULL DEFAULT 45 CHECK (address_top_mm BETWEEN 0 AND 250),
    address_left_mm numeric(5, 1) NOT NULL DEFAULT 20 CHECK (address_left_mm BETWEEN 0 AND 150),
    stationery bytea CHECK (octet_length(stationery) <= 2097152),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document_renders (
{ABOUT}    snapshot text NOT NULL,
    layout text NOT NULL,
    logo bytea,
    stationery bytea,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    {KEYS}
);
CREATE INDEX document_renders_due ON document_renders (seller_id, next_attempt_at)
    WHERE status IN ('pending', 'running');
GRANT SELECT ON document_renders TO comptoir_definer;

CREATE TABLE documents (
{ABOUT}    content_type text NOT NULL DEFAULT 'application/pdf',
    content bytea NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
    byte_size integer NOT NULL CHECK (byte_size = octet_length(content)),
    created_at timestamptz NOT NULL DEFAULT now(),
    {KEYS}
);
CREATE INDEX documents_seller ON documents (seller_id, created_at, id);
CREATE INDEX documents_subject ON documents (seller_id, subject_type, subject_id);

-- The tax office rule: stored bytes never change (a seller's deletion still cascades).
CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.content IS DISTINCT FROM OLD.content OR NEW.sha256 IS DISTINCT FROM OLD.sha256
     OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.subject_id IS DISTINCT FROM OLD.subject_id
     OR NEW.subject_type IS DISTINCT FROM OLD.subject_type OR NEW.filename IS DISTINCT FROM OLD.filename
     OR NEW.language IS DISTINCT FROM OLD.language OR NEW.seller_id IS DISTINCT FROM OLD.seller_id THEN
    RAISE EXCEPTION 'an issued document never changes' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER documents_immutable BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_immutable();
"""


def upgrade() -> None:
    op.execute(TABLES)
    for table in ("invoice_layouts", "document_renders", "documents"):
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS documents, document_renders, invoice_layouts")
    op.execute("DROP FUNCTION IF EXISTS documents_immutable()")
