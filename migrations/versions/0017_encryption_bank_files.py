"""Encryption at rest (issue 10 item 8, SPEC §6): per-seller data keys, and the secrets stored in clear
until now sealed with them (subscriptions' system passwords, certificate private keys).

`seller_data_keys` holds each seller's data keys (DEKs) wrapped by a key-encryption key from the
environment (`kek_id`) or by the seller's passphrase (`passphrase_params`); one active per seller. It has
no foreign key to `sellers`: the seam (`comptoir.security.secrets`) creates a data key in a transaction of
its own, which may commit before the transaction creating the seller does (demo data, provisioning a new
reseller with secrets). Deleting a seller deletes its keys by trigger instead of by cascade.

The data part runs the application's re-sealing over this migration's connection with the key ring of
the environment running `comptoir migrate` (COMPTOIR_ENCRYPTION_KEYS). As the owner is itself subject to
row-level security (forced, policies only for the app role), RLS is lifted on the three tables for the
length of this transaction.

Revision ID: 0017
Revises: 0016
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table
from comptoir.security.rotation import reseal
from comptoir.security.secrets import SealedColumn

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE seller_data_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL,
    wrapped_key bytea NOT NULL CHECK (length(wrapped_key) = 60),
    kek_id text CHECK (kek_id ~ '^[A-Za-z0-9_.-]{1,32}$'),
    passphrase_params jsonb,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    CHECK ((kek_id IS NULL) <> (passphrase_params IS NULL))
);
CREATE UNIQUE INDEX seller_data_keys_one_active ON seller_data_keys (seller_id) WHERE active;

CREATE FUNCTION comptoir_delete_seller_data_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM seller_data_keys WHERE seller_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER sellers_delete_data_keys AFTER DELETE ON sellers
    FOR EACH ROW EXECUTE FUNCTION comptoir_delete_seller_data_keys();
"""

# The columns sealed here (packages register theirs with secrets.register_sealed_column for rotation).
SEALED_NOW = (SealedColumn("subscriptions", "system_password"), SealedColumn("ssl_certificates", "private_key_pem"))
LIFTED = ("seller_data_keys", "subscriptions", "ssl_certificates")


def upgrade() -> None:
    op.execute(TABLES)
    for statement in role_aware_table(POLICIES["seller_data_keys"]):
        op.execute(statement)
    seal_stored_secrets()


def seal_stored_secrets() -> None:
    """Seal what was stored in clear (or as `s1:` tokens) under each seller's new data key."""
    for table in LIFTED:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    reseal(op.get_bind(), SEALED_NOW)
    for table in LIFTED:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    # The sealed values stay sealed while their data keys go with the table: downgrading loses them.
    op.execute("DROP TRIGGER IF EXISTS sellers_delete_data_keys ON sellers")
    op.execute("DROP FUNCTION IF EXISTS comptoir_delete_seller_data_keys()")
    op.execute("DROP TABLE IF EXISTS seller_data_keys")
