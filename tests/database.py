"""Which PostgreSQL the tests use: $COMPTOIR_TEST_BOOTSTRAP_URL, else the local server, else a private one."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

LOCAL_SUPERUSER = "postgresql://postgres@127.0.0.1:5432/postgres"
# Parallel runs (several developers on one machine) each set their own name.
TEST_DATABASE = os.environ.get("COMPTOIR_TEST_DATABASE", "comptoir_test")


def superuser_url() -> str:
    if url := os.environ.get("COMPTOIR_TEST_BOOTSTRAP_URL"):
        return url
    try:
        psycopg.connect(LOCAL_SUPERUSER, connect_timeout=3).close()
        return LOCAL_SUPERUSER
    except psycopg.OperationalError:
        import pgserver

        data_dir = Path(__file__).resolve().parents[1] / "var" / "test-postgres"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        return pgserver.get_server(str(data_dir), cleanup_mode="stop").get_uri()
