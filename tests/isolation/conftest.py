"""Isolation tests are parametrized by the tables pg_catalog lists once the migrations ran.

So a table added by a migration is tested without anyone listing it: it fails the suite until it has
RLS and rows in the isolation fixture. Parametrizing happens at collection, before the session fixture
builds the test database, so collection migrates the same database once to read its catalog (the
session fixture then recreates it from scratch, as always).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from comptoir.database import migrate
from comptoir.database.bootstrap import bootstrap
from comptoir.tenancy import security
from tests.conftest import SUPERUSER, SUPERUSER_IN_TEST_DB
from tests.database import TEST_DATABASE
from tests.isolation.catalog import Tables, app_conninfo, classify
from tests.isolation.world import World, assert_populated, build_world, truncate_all

Connection = psycopg.Connection[Any]
TABLE_PARAMETERS = {"tenant_table": "tenant", "customer_table": "customer_owned",
                    "seller_table": "seller_owned", "internal_table": "internal"}


def superuser_conninfo() -> str:
    return make_url(SUPERUSER_IN_TEST_DB).set(drivername="postgresql").render_as_string(hide_password=False)


@functools.cache
def migrated_tables() -> Tables:
    bootstrap(SUPERUSER, TEST_DATABASE, app_password="comptoir_app", owner_password="comptoir_owner",
              drop_first=True)
    migrate.upgrade(os.environ["COMPTOIR_MIGRATION_DATABASE_URL"])
    with psycopg.connect(superuser_conninfo()) as connection:
        return classify(connection)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for fixture, kind in TABLE_PARAMETERS.items():
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, getattr(migrated_tables(), kind))


@pytest.fixture(scope="session")
def superuser(superuser_connection: Connection) -> Connection:
    return superuser_connection


@pytest.fixture(scope="session")
def tables(superuser: Connection) -> Tables:
    """The tables of the database the tests run against (the same migrations as at collection)."""
    found = classify(superuser)
    if migrated_tables.cache_info().currsize:  # never migrate here: that would drop the live database
        assert found == migrated_tables(), "the catalog changed between collection and the run"
    return found


@pytest.fixture
def app(database: str) -> Iterator[Connection]:
    """A fresh connection as comptoir_app: nothing was ever set on it."""
    with psycopg.connect(app_conninfo(), autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def world(superuser: Connection, tables: Tables) -> Iterator[World]:
    """One world per module: tests read it, or write to it only in ways the other tests of the module
    do not depend on (a log-in more, a user's own preferences)."""
    built = build_world(superuser)
    assert_populated(superuser, tables, built)
    yield built
    truncate_all(superuser)


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Replaces the per-test truncation (slow across hundreds of parametrized tests): here the `world`
    fixture empties the tables when its module is done, and the catalog tests write nothing."""


@pytest.fixture(scope="module", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """The worlds log in a dozen users; argon2's production cost is not what these tests are about."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield
