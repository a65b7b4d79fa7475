"""E-mail delivery, log, templates and mass e-mail (issue 12, SPEC §11).

- email_outbox (the e-mail log) keeps both parts of what it sends (HTML beside the plain text), the
  copies (cc), the sender it used, and links to the mass e-mail that made it and to the e-mail it resends.
- email_attachments: an e-mail's files, either their bytes or a reference to a stored document (an
  issued invoice's PDF is immutable: the reference reads the same bytes at every delivery and resend).
- email_templates: a seller's override of a shipped template, per template and language (subject,
  HTML, text); no row means the shipped default.
- smtp_settings: a seller's own SMTP server (the password sealed); none means the provider's (settings).
- mass_emails: an intent; its handler writes one outbox e-mail per customer matching the filter, whose
  statuses are the mailing's progress.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table
from comptoir.database.urls import DEFINER_ROLE

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


TABLES = """
CREATE TABLE mass_emails (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 998),
    body_html text NOT NULL DEFAULT '' CHECK (length(body_html) <= 200000),
    body_text text NOT NULL DEFAULT '' CHECK (length(body_text) <= 200000),
    filter jsonb NOT NULL DEFAULT '{}'::jsonb,
    recipients integer NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (seller_id, id)
);
CREATE INDEX mass_emails_seller ON mass_emails (seller_id, created_at, id);
CREATE INDEX mass_emails_due ON mass_emails (seller_id, status, next_attempt_at);

ALTER TABLE email_outbox
    ADD COLUMN body_html text NOT NULL DEFAULT '',
    ADD COLUMN cc text[] NOT NULL DEFAULT '{}',
    ADD COLUMN from_address text NOT NULL DEFAULT '',
    ADD COLUMN mass_email_id uuid,
    ADD COLUMN resent_from_id uuid,
    ADD FOREIGN KEY (seller_id, mass_email_id) REFERENCES mass_emails (seller_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (seller_id, resent_from_id) REFERENCES email_outbox (seller_id, id) ON DELETE CASCADE;
CREATE INDEX email_outbox_log ON email_outbox (seller_id, created_at, id);
CREATE INDEX email_outbox_mass ON email_outbox (seller_id, mass_email_id, status) WHERE mass_email_id IS NOT NULL;

CREATE TABLE email_attachments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    email_id uuid NOT NULL,
    position integer NOT NULL CHECK (position >= 0),
    filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type text NOT NULL CHECK (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    content bytea,
    document_kind text NOT NULL DEFAULT '' CHECK (document_kind ~ '^([a-z][a-z_]{0,63})?$'),
    document_id uuid,
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, email_id, position),
    CHECK ((content IS NULL) = (document_id IS NOT NULL)),
    CHECK ((document_kind = '') = (document_id IS NULL)),
    FOREIGN KEY (seller_id, email_id) REFERENCES email_outbox (seller_id, id) ON DELETE CASCADE
);

CREATE TABLE email_templates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    template text NOT NULL CHECK (template ~ '^[a-z][a-z0-9_]{0,63}$'),
    language text NOT NULL CHECK (language ~ '^[a-z]{2,3}(_[A-Z]{2})?$'),
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 998),
    body_html text NOT NULL DEFAULT '' CHECK (length(body_html) <= 200000),
    body_text text NOT NULL DEFAULT '' CHECK (length(body_text) <= 200000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, template, language),
    CHECK (body_html <> '' OR body_text <> '')
);

CREATE TABLE smtp_settings (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    host text NOT NULL CHECK (length(host) BETWEEN 1 AND 255),
    port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security text NOT NULL DEFAULT 'starttls' CHECK (security IN ('none', 'starttls', 'tls')),
    username text NOT NULL DEFAULT '' CHECK (length(username) <= 255),
    password_sealed text NOT NULL DEFAULT '',
    from_address text NOT NULL DEFAULT '' CHECK (length(from_address) <= 255),
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""


def upgrade() -> None:
    op.execute(TABLES)
    for table in ("mass_emails", "email_attachments", "email_templates", "smtp_settings"):
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)
    # The relay's look-up (0023: any intent-shaped table) reads mass_emails.
    op.execute(f"GRANT SELECT ON mass_emails TO {DEFINER_ROLE}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS smtp_settings, email_templates, email_attachments")
    op.execute("ALTER TABLE email_outbox DROP COLUMN body_html, DROP COLUMN cc, DROP COLUMN from_address,"
               " DROP COLUMN mass_email_id, DROP COLUMN resent_from_id")
    op.execute("DROP TABLE IF EXISTS mass_emails")
