"""Random sequences of GraphQL operations by the staff and customers of two resellers, and by anonymous
callers, interleaved on one app: no response names an object outside the caller's reach, no operation
changes a row outside it, and ids taken from the other tenant read as not found.

"Reach" is what row-level security allows: staff reach their seller's rows; a customer reaches its own
rows in customer-owned tables and its seller's rows elsewhere; an anonymous caller reaches nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.schema.ids import encode_id, parse_id
from comptoir.tenancy.security import token_digest
from tests import factories
from tests.isolation.catalog import Tables, customer_column
from tests.isolation.world import ALPHA_CUSTOMER_LIMIT, BRAVO_CUSTOMER_LIMIT, Member, Tenant, World, snapshot

Connection = psycopg.Connection[Any]
Result = dict[str, Any]

# Node type names of the tables the schema exposes; a seller is both a Reseller and a SellerAccount.
NODE_TYPES = {"users": "User", "customers": "Customer", "sessions": "Session", "service_plans": "Plan",
              "subscriptions": "Subscription", "background_jobs": "BackgroundJob",
              "custom_buttons": "CustomButton", "ip_addresses": "IpAddress", "ip_pool": "IpPoolEntry",
              "hosting_servers": "HostingServer", "server_pool": "ServerPoolEntry", "ssl_certificates": "SslCertificate"}
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BOGUS_IDS = ("not-a-global-id", encode_id("User", uuid.UUID(int=1)), encode_id("Nonsense", uuid.UUID(int=2)))

ME = "{ me { id username } }"
VIEWER = "{ viewer { user { id username } seller { id name } sessions { id } } }"
CUSTOMERS = "{ customers(first: 100) { totalCount edges { node { id email } } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on User { username } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
RESELLER = "query($id: ID!) { reseller(id: $id) { id name } }"
MY_RESOURCES = "{ myResources { limits { resource limit used } } }"
SESSION_REVOKE = """mutation($id: ID!) {
  sessionRevoke(input: {id: $id}) { session { id } errors { code } } }"""
PROFILE_UPDATE = """mutation($name: String!) {
  profileUpdate(input: {fullName: $name}) { user { id } errors { code } } }"""
PREFERENCES_UPDATE = """mutation($theme: String!, $language: String!) {
  preferencesUpdate(input: {theme: $theme, language: $language}) { user { id } errors { code } } }"""
SELLER_SETTINGS_UPDATE = """mutation($allow: Boolean!) {
  sellerSettingsUpdate(input: {allowMultipleSessions: $allow}) { seller { id } errors { code } } }"""
QUERY_FIELDS = """{ __schema { queryType { fields { name
  args { name type { kind } }
  type { name ofType { name ofType { name ofType { name } } } } } } } }"""


@dataclass(frozen=True)
class Owner:
    """Whose a row is, in the terms the policies use."""

    seller_id: uuid.UUID | None
    customer_scoped: bool = False  # the table has a customer column, and a customer policy
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Thing:
    """A row with an id, which a response may name."""

    table: str
    id: uuid.UUID
    owner: Owner
    username: str | None

    def global_ids(self) -> list[str]:
        names = ["Reseller", "SellerAccount"] if self.table == "sellers" else [NODE_TYPES.get(self.table)]
        return [encode_id(name, self.id) for name in names if name]


@dataclass(frozen=True)
class Player:
    name: str
    token: str | None = None
    seller_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None  # the session its token opened: never revoked here
    spare_session_id: uuid.UUID | None = None  # another session of its own, which it may revoke

    @property
    def is_staff(self) -> bool:
        return self.seller_id is not None and self.customer_id is None

    def reaches(self, owner: Owner) -> bool:
        if self.seller_id is None or owner.seller_id != self.seller_id:
            return False
        return self.is_staff or not owner.customer_scoped or owner.customer_id == self.customer_id


class Game:
    """The world as GraphQL callers see it, and the checks every step must pass."""

    def __init__(self, client: Any, superuser: Connection, tables: Tables, world: World) -> None:
        self.client, self.superuser, self.world = client, superuser, world
        self.customer_columns = {table: customer_column(superuser, table) for table in tables.tenant}
        # a previous game may have set "one session per user", and the log-ins below would end sessions
        superuser.execute("UPDATE sellers SET allow_multiple_sessions = true")
        self.players = [self._player(member, tenant) for tenant in (world.alpha, world.bravo)
                        for member in tenant.members]
        self.players.append(Player("anonymous"))
        self.things = [Thing(table, uuid.UUID(row["id"]), self.owner(table, row), row.get("username"))
                       for table, rows in self.rows().items() for row in rows if "id" in row]
        self.targets = [global_id for thing in self.things for global_id in thing.global_ids()]
        self.targets += BOGUS_IDS
        self.lists: list[str] = []

    def _player(self, member: Member, tenant: Tenant) -> Player:
        token = self.world.tokens[member.username]
        spare = factories.log_in(member.actor, client_address="198.51.100.200")
        user_id = self.superuser.execute("SELECT id FROM users WHERE username = %s",
                                         (member.username,)).fetchone()[0]
        return Player(member.username, token, tenant.seller_id, member.actor.customer_id, user_id,
                      self._session_of(token), self._session_of(spare))

    def _session_of(self, token: str) -> uuid.UUID:
        return self.superuser.execute("SELECT id FROM sessions WHERE token_hash = %s",
                                      (token_digest(token),)).fetchone()[0]

    def owner(self, table: str, row: dict[str, Any]) -> Owner:
        column = self.customer_columns.get(table)
        customer = _uuid(row.get(column)) if column else None
        return Owner(_uuid(row.get("seller_id")), column is not None, customer)

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        return {table: [json.loads(row) for row in rows] for table, rows in snapshot(self.superuser).items()}

    def thing(self, global_id: str) -> Thing | None:
        return next((thing for thing in self.things if global_id in thing.global_ids()), None)

    def out_of_reach(self, player: Player) -> dict[str, list[str]]:
        """The rows `player` may not change, as JSON text."""
        return {table: sorted(json.dumps(row, sort_keys=True) for row in rows
                              if not player.reaches(self.owner(table, row)))
                for table, rows in self.rows().items()}

    async def discover_lists(self) -> None:
        """Every list of Query that takes `first` and needs no other argument: a new list is covered."""
        fields = (await self.client.execute(QUERY_FIELDS))["data"]["__schema"]["queryType"]["fields"]
        for query_field in fields:
            named = query_field["type"]
            while named["name"] is None and named.get("ofType"):
                named = named["ofType"]
            arguments = {argument["name"]: argument["type"]["kind"] for argument in query_field["args"]}
            optional = "NON_NULL" not in arguments.values()
            if (named["name"] or "").endswith("Connection") and "first" in arguments and optional:
                self.lists.append(query_field["name"])
        assert "customers" in self.lists

    async def run(self, player: Player, query: str, variables: dict[str, Any] | None = None) -> Result:
        result = await self.client.execute(query, variables, token=player.token)
        # a refused cross-tenant write would surface as an internal error
        assert "INTERNAL_ERROR" not in codes(result), f"{player.name}: {result}"
        self.assert_names_nothing_out_of_reach(player, result)
        return result

    def assert_names_nothing_out_of_reach(self, player: Player, result: Result) -> None:
        named: set[uuid.UUID] = set()
        for text in strings(result):
            if (parsed := parse_id(text)) is not None:
                named.add(parsed[1])
            named.update(uuid.UUID(found) for found in UUID_PATTERN.findall(text))
        dumped = json.dumps(result)
        out_of_reach = [thing for thing in self.things if not player.reaches(thing.owner)]
        leaked = [f"{thing.table} {thing.id}" for thing in out_of_reach if thing.id in named]
        leaked += [f"user {thing.username}" for thing in out_of_reach
                   if thing.username and thing.username in dumped]
        assert leaked == [], f"{player.name} was shown {leaked}: {result}"


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def codes(result: Result) -> list[str]:
    return [(error.get("extensions") or {}).get("code") for error in result.get("errors") or []]


def field(result: Result, name: str) -> Any:
    return (result.get("data") or {}).get(name)


# -- operations: each draws its arguments, runs, and checks what only it can check ------------------------

Operation = Callable[[Game, Player, st.DataObject], Awaitable[None]]


async def me(game: Game, player: Player, data: st.DataObject) -> None:
    found = field(await game.run(player, ME), "me")
    assert (found or {}).get("id") == (encode_id("User", player.user_id) if player.user_id else None)


async def viewer(game: Game, player: Player, data: st.DataObject) -> None:
    found = field(await game.run(player, VIEWER), "viewer")
    if player.user_id is None:
        assert found is None
        return
    assert found["user"]["id"] == encode_id("User", player.user_id)
    assert found["seller"]["id"] == encode_id("SellerAccount", player.seller_id)
    own = {row[0] for row in game.superuser.execute("SELECT id FROM sessions WHERE user_id = %s",
                                                    (player.user_id,))}
    assert {parse_id(session["id"])[1] for session in found["sessions"]} <= own


async def customers(game: Game, player: Player, data: st.DataObject) -> None:
    found = field(await game.run(player, CUSTOMERS), "customers")
    if not player.is_staff:
        assert found is None
        return
    tenant = next(t for t in (game.world.alpha, game.world.bravo) if t.seller_id == player.seller_id)
    expected = {encode_id("Customer", member.actor.customer_id) for member in tenant.customers}
    assert {edge["node"]["id"] for edge in found["edges"]} == expected
    assert found["totalCount"] == len(expected)


async def any_list(game: Game, player: Player, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(game.lists), label="list")
    await game.run(player, f"{{ {name}(first: 100) {{ edges {{ node {{ id }} }} }} }}")


def expect_node(game: Game, player: Player, target: str, found: dict[str, Any] | None) -> None:
    thing = game.thing(target)
    if thing is None or not player.reaches(thing.owner):
        assert found is None, f"{player.name} fetched {target} ({thing}) outside its reach"
    elif thing.table == "users" and thing.id == player.user_id:
        assert found is not None and found["id"] == target


async def node(game: Game, player: Player, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(game.targets), label="node id")
    expect_node(game, player, target, field(await game.run(player, NODE, {"id": target}), "node"))


async def nodes(game: Game, player: Player, data: st.DataObject) -> None:
    targets = data.draw(st.lists(st.sampled_from(game.targets), min_size=1, max_size=4), label="node ids")
    found = field(await game.run(player, NODES, {"ids": targets}), "nodes")
    if player.user_id is None:
        assert not any(found or [])
        return
    for target, one in zip(targets, found, strict=True):
        expect_node(game, player, target, one)


async def reseller(game: Game, player: Player, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(game.targets), label="reseller id")
    assert field(await game.run(player, RESELLER, {"id": target}), "reseller") is None


async def my_resources(game: Game, player: Player, data: st.DataObject) -> None:
    found = field(await game.run(player, MY_RESOURCES), "myResources")
    if not player.is_staff:
        assert found is None
        return
    limit = ALPHA_CUSTOMER_LIMIT if player.seller_id == game.world.alpha.seller_id else BRAVO_CUSTOMER_LIMIT
    assert {"resource": "CUSTOMERS", "limit": limit, "used": 2} in found["limits"]


async def session_revoke(game: Game, player: Player, data: st.DataObject) -> None:
    sessions = [target for target in game.targets if (parse_id(target) or ("",))[0] == "Session"]
    target = data.draw(st.sampled_from(sessions + list(BOGUS_IDS)), label="session id")
    if player.session_id and target == encode_id("Session", player.session_id):
        target = encode_id("Session", player.spare_session_id)  # a player never signs itself out here
    found = field(await game.run(player, SESSION_REVOKE, {"id": target}), "sessionRevoke")
    thing = game.thing(target)
    if player.user_id is None:
        assert found is None
    elif thing is not None and thing.id == player.spare_session_id:
        assert (found["errors"], found["session"]["id"]) == ([], target)
    else:
        assert (found["errors"], found["session"]) == ([{"code": "NOT_FOUND"}], None), target


async def profile_update(game: Game, player: Player, data: st.DataObject) -> None:
    name = data.draw(st.from_regex(r"[A-Z][a-z]{1,10}( [A-Z][a-z]{1,10})?", fullmatch=True), label="name")
    assert_own_user(player, field(await game.run(player, PROFILE_UPDATE, {"name": name}), "profileUpdate"))


async def preferences_update(game: Game, player: Player, data: st.DataObject) -> None:
    variables = {"theme": data.draw(st.sampled_from(["default", "dark", "compact"]), label="theme"),
                 "language": data.draw(st.sampled_from(["en", "fr", "de"]), label="language")}
    assert_own_user(player, field(await game.run(player, PREFERENCES_UPDATE, variables), "preferencesUpdate"))


def assert_own_user(player: Player, payload: dict[str, Any] | None) -> None:
    if player.user_id is None:
        assert payload is None
    else:
        assert (payload["errors"], payload["user"]["id"]) == ([], encode_id("User", player.user_id))


async def seller_settings_update(game: Game, player: Player, data: st.DataObject) -> None:
    allow = data.draw(st.booleans(), label="allow multiple sessions")
    found = field(await game.run(player, SELLER_SETTINGS_UPDATE, {"allow": allow}), "sellerSettingsUpdate")
    if not player.is_staff:
        assert found is None
    else:
        assert found["seller"]["id"] == encode_id("SellerAccount", player.seller_id)


OPERATIONS: list[Operation] = [me, viewer, customers, any_list, node, nodes, reseller, my_resources,
                               session_revoke, profile_update, preferences_update, seller_settings_update]


@pytest.fixture
async def game(client: Any, superuser: Connection, tables: Tables, world: World) -> Game:
    """Built once for all the examples hypothesis runs (fixtures are not reset between examples)."""
    built = Game(client, superuser, tables, world)
    await built.discover_lists()
    return built


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_random_operations_of_two_resellers_customers_and_strangers_never_cross_tenants(
        game: Game, data: st.DataObject) -> None:
    # given two resellers' staff and customers, logged in, and anonymous callers, on one app
    steps = data.draw(st.lists(st.tuples(st.sampled_from(game.players), st.sampled_from(OPERATIONS)),
                               min_size=1, max_size=6), label="steps")
    for player, operation in steps:
        before = game.out_of_reach(player)
        # when one of them runs an operation
        await operation(game, player, data)
        # then (besides the operation's own checks) nothing outside its reach changed
        assert game.out_of_reach(player) == before, f"{operation.__name__} by {player.name} wrote outside"


async def test_every_id_out_of_a_callers_reach_reads_as_not_found(game: Game) -> None:
    for player in game.players:
        # given every global id of an object this caller may not reach
        foreign = [global_id for thing in game.things if not player.reaches(thing.owner)
                   for global_id in thing.global_ids()]
        # when it asks for them, a page at a time, then none is found
        for start in range(0, len(foreign), 50):
            found = field(await game.run(player, NODES, {"ids": foreign[start:start + 50]}), "nodes")
            assert not any(found or []), f"{player.name} fetched {[one for one in found if one]}"
        # and when it tries to revoke each foreign session, each is not found
        for target in (t for t in foreign if parse_id(t)[0] == "Session"):
            payload = field(await game.run(player, SESSION_REVOKE, {"id": target}), "sessionRevoke")
            expected = None if player.user_id is None else [{"code": "NOT_FOUND"}]
            assert (payload and payload["errors"]) == expected, f"{player.name} revoked {target}"
