"""Migration 0010 on existing data: a default server (driver COMPTOIR_HOSTING_AGENT) in every seller's
pool, every subscription placed on it, pool entries showing their address's status."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url

from comptoir.database import migrate
from comptoir.database.bootstrap import bootstrap
from comptoir.settings import get_settings
from tests.conftest import SUPERUSER
from tests.database import TEST_DATABASE

DATABASE = f"{TEST_DATABASE}_m10"


def test_existing_subscriptions_are_placed_on_a_default_server_with_the_settings_driver():
    # given a database at 0009 with a provider, a reseller, an address (removed) and a subscription
    bootstrap(SUPERUSER, DATABASE, app_password="comptoir_app", owner_password="comptoir_owner", drop_first=True)
    owner = make_url(SUPERUSER).set(username="comptoir_owner", password="comptoir_owner", database=DATABASE)
    migrate.upgrade(owner.render_as_string(hide_password=False), "0009")
    superuser = make_url(SUPERUSER).set(database=DATABASE).set(drivername="postgresql")
    with psycopg.connect(superuser.render_as_string(hide_password=False), autocommit=True) as connection:
        provider = connection.execute(
            "INSERT INTO sellers (kind, name) VALUES ('provider', 'P') RETURNING id").fetchone()[0]
        reseller = connection.execute(
            "INSERT INTO sellers (kind, name) VALUES ('reseller', 'R') RETURNING id").fetchone()[0]
        address = connection.execute("""INSERT INTO ip_addresses (seller_id, address, status, ftp_over_ssl)
            VALUES (%s, '203.0.113.9', 'removed', true) RETURNING id""", (provider,)).fetchone()[0]
        entry = connection.execute("""INSERT INTO ip_pool (seller_id, ip_address_id, address)
            VALUES (%s, %s, '203.0.113.9') RETURNING id""", (reseller, address)).fetchone()[0]
        connection.execute("""INSERT INTO subscriptions (seller_id, domain_name, ip_pool_id, system_login)
            VALUES (%s, 'old.example.com', %s, 'olduser')""", (reseller, entry))
    # when 0010 runs
    migrate.upgrade(owner.render_as_string(hide_password=False))
    # then
    with psycopg.connect(superuser.render_as_string(hide_password=False)) as connection:
        servers = connection.execute("SELECT seller_id, driver, is_default FROM hosting_servers").fetchall()
        assert servers == [(provider, get_settings().hosting_agent, True)]
        pools = connection.execute("SELECT seller_id FROM server_pool ORDER BY seller_id").fetchall()
        assert sorted(row[0] for row in pools) == sorted([provider, reseller])
        placed = connection.execute("""SELECT p.seller_id FROM subscriptions s
            JOIN server_pool p ON p.id = s.server_pool_id""").fetchall()
        assert placed == [(reseller,)]
        assert connection.execute("SELECT status, ftp_over_ssl FROM ip_pool").fetchone() == ("removed", True)
        forced = connection.execute("""SELECT bool_and(relforcerowsecurity) FROM pg_class
            WHERE relname IN ('sellers', 'subscriptions', 'ip_pool', 'server_pool', 'hosting_servers')""").fetchone()
        assert forced == (True,)
    with psycopg.connect(make_url(SUPERUSER).set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
