"""Attack findings on the database side (issue 7, item 8), each refused by the database itself: a
reseller's own context turning on its overselling, re-typing or re-pointing a pool entry, adding an
address it was never assigned; definer functions trusting the caller's clock, infinite times and
unbounded key lists."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.errors import (
    ForeignKeyViolation,
    InsufficientPrivilege,
    UndefinedFunction,
)
from psycopg.types.json import Jsonb

from comptoir.tenancy.security import token_digest
from tests.isolation.test_rls_raw_sql import SET_CONTEXT, acting_as, fresh_copy, insert, one_row
from tests.isolation.world import World

Connection = psycopg.Connection[Any]


def alpha_entry(superuser: Connection, world: World) -> dict[str, Any]:
    return one_row(superuser, "ip_pool", "seller_id = %s", world.alpha.seller_id)


def providers_address(superuser: Connection, world: World) -> dict[str, Any]:
    return one_row(superuser, "ip_addresses", "seller_id = %s", world.provider.seller_id)


# -- overselling ----------------------------------------------------------------------------------------


def test_reseller_cannot_turn_on_its_own_overselling_without_the_permission(
        world: World, app: Connection) -> None:
    with acting_as(app, "reseller", world.alpha.seller_id), \
            pytest.raises(InsufficientPrivilege, match="overselling"):
        app.execute("UPDATE reseller_allocations SET overselling_allowed = true")


def test_reseller_holding_the_permission_sets_its_overselling(world: World, app: Connection) -> None:
    # given the provider lets Alpha set its overselling policy (same transaction, provider's context)
    with acting_as(app, "provider", world.provider.seller_id):
        app.execute("UPDATE reseller_allocations SET permissions = permissions || %s WHERE seller_id = %s",
                    (Jsonb({"set_overselling_policy": True}), world.alpha.seller_id))
        # when Alpha's staff turn overselling on
        app.execute(SET_CONTEXT, ("reseller", str(world.alpha.seller_id), ""))
        touched = app.execute("UPDATE reseller_allocations SET overselling_allowed = true").rowcount
    # then
    assert touched == 1


def test_provider_sets_a_resellers_overselling(world: World, app: Connection) -> None:
    with acting_as(app, "provider", world.provider.seller_id):
        touched = app.execute("UPDATE reseller_allocations SET overselling_allowed = true WHERE seller_id = %s",
                              (world.alpha.seller_id,)).rowcount
    assert touched == 1


# -- the IP pool ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    "type = 'dedicated'", "address = '198.18.0.1'", "ip_address_id = %(provider)s", "status = 'removed'",
    "ftp_over_ssl = true"])
def test_reseller_cannot_change_a_used_pool_entrys_type_nor_its_address_or_status(
        world: World, app: Connection, superuser: Connection, change: str) -> None:
    params = {"provider": providers_address(superuser, world)["id"]}
    with acting_as(app, "reseller", world.alpha.seller_id), \
            pytest.raises(InsufficientPrivilege, match="provider|before use"):
        app.execute(f"UPDATE ip_pool SET {change}", params)  # noqa: S608


def test_reseller_picks_the_default_site_of_its_pool_entry(
        world: World, app: Connection, superuser: Connection) -> None:
    entry = alpha_entry(superuser, world)
    subscription = one_row(superuser, "subscriptions", "ip_pool_id = %s", entry["id"])
    with acting_as(app, "reseller", world.alpha.seller_id):
        touched = app.execute("UPDATE ip_pool SET default_subscription_id = %s WHERE id = %s",
                              (subscription["id"], entry["id"])).rowcount
    assert touched == 1


def test_reseller_cannot_add_an_address_it_was_never_assigned(
        world: World, app: Connection, superuser: Connection) -> None:
    # given an entry like Alpha's own, naming an address the provider registered but never assigned
    address = providers_address(superuser, world)
    row = fresh_copy(superuser, "ip_pool", alpha_entry(superuser, world), keep={"seller_id"})
    row |= {"ip_address_id": str(address["id"]), "address": address["address"], "type": "dedicated"}
    with acting_as(app, "reseller", world.alpha.seller_id), pytest.raises(InsufficientPrivilege):
        insert(app, "ip_pool", row)


def test_a_pool_entry_names_a_registered_address(world: World, app: Connection, superuser: Connection) -> None:
    row = fresh_copy(superuser, "ip_pool", alpha_entry(superuser, world), keep={"seller_id"})
    row["ip_address_id"] = str(uuid.uuid4())
    with acting_as(app, "provider", world.provider.seller_id), pytest.raises(ForeignKeyViolation):
        insert(app, "ip_pool", row)


def test_deleting_an_address_takes_its_pool_entries_in_every_tenant(
        world: World, app: Connection, superuser: Connection) -> None:
    address_id = alpha_entry(superuser, world)["ip_address_id"]
    with acting_as(app, "provider", world.provider.seller_id):
        app.execute("DELETE FROM ip_addresses WHERE id = %s", (address_id,))
        left = app.execute("SELECT count(*) FROM ip_pool WHERE ip_address_id = %s", (address_id,)).fetchone()[0]
    assert left == 0


# -- definer functions ------------------------------------------------------------------------------------

TIME_TYPES = ("timestamp with time zone", "timestamp without time zone", "date")
# Rate-limit bookkeeping still takes its times from the app (its tests move the app's clock); the
# log-in hardening work (issue 7, item 7) owns these two.
CALLER_TIMED = {"comptoir_throttle_count", "comptoir_throttle_record"}


def test_an_old_time_cannot_revive_an_expired_session(
        world: World, app: Connection, superuser: Connection) -> None:
    digest = token_digest(world.tokens[world.alpha.staff.username])
    lookup = "SELECT count(*) FROM comptoir_session_lookup(%s, 3600)"
    assert app.execute(lookup, (digest,)).fetchone()[0] == 1
    # given the session expired a second ago
    superuser.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = %s",
                      (digest,))
    try:
        # then the look-up refuses it, and no caller-supplied "now" can be passed to say otherwise
        assert app.execute(lookup, (digest,)).fetchone()[0] == 0
        with app.transaction(), pytest.raises(UndefinedFunction):
            app.execute("SELECT * FROM comptoir_session_lookup(%s, '-infinity'::timestamptz)", (digest,))
    finally:
        superuser.execute("UPDATE sessions SET expires_at = now() + interval '1 day' WHERE token_hash = %s",
                          (digest,))
# The throttle functions' bounds are tested with them, in tests/tenancy/test_definer_functions.py.
