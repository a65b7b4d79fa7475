"""The audit log (SPEC §8, issue 14): every change recorded in its own transaction, secrets redacted, each
reader sees what is theirs, and old rows move to archive files that read back intact."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comptoir import clock
from comptoir.audit import recorder, service
from comptoir.audit.models import AuditEntry
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting.models import ServicePlan
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

PLAN_CREATE = """mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id } errors { code } } }"""
PLAN_DELETE = """mutation($id: ID!) { planDelete(input: {id: $id}) { errors { code } } }"""
PASSWORD_CHANGE = """mutation($current: String!, $new: String!) {
  passwordChange(input: {currentPassword: $current, newPassword: $new}) { errors { code } } }"""
AUDIT_LOG = """query($filter: AuditLogFilterInput) { auditLog(first: 50, filter: $filter) { totalCount edges { node {
  actorRole actorUserId source operation objectType objectId action changes requestId clientAddress } } } }"""
ARCHIVES = "{ auditArchives(first: 10) { edges { node { id entries sha256 } } } }"
ARCHIVE_ENTRIES = """query($id: ID!, $after: String) { auditArchiveEntries(id: $id, first: 2, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { operation objectType action } } } }"""


@pytest.fixture
def shop():
    provider = factories.provider("boss")
    seller = factories.reseller(provider, "Alpha", "alpha")
    return {"provider": provider, "seller": seller, "carol": factories.customer(seller, "carol"),
            "dave": factories.customer(seller, "dave")}


async def _entries(client, token, **filter_):
    result = await client.execute(AUDIT_LOG, {"filter": filter_ or None}, token=token)
    assert "errors" not in result, result
    return [edge["node"] for edge in result["data"]["auditLog"]["edges"]]


async def test_a_mutation_records_who_changed_what_from_where(client, shop):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    # when
    created = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Gold"}}, token=token)
    # then
    assert created["data"]["planCreate"]["errors"] == []
    [entry] = await _entries(client, token, operation="planCreate", objectType="ServicePlan")
    assert (entry["actorRole"], entry["source"], entry["action"]) == ("reseller", "graphql", "create")
    assert entry["changes"]["after"]["name"] == "Gold"
    assert entry["actorUserId"] and len(entry["requestId"]) == 32 and entry["clientAddress"]


async def test_an_update_and_a_deletion_keep_before_and_after(client, shop):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    created = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Gold"}}, token=token)
    plan_id = created["data"]["planCreate"]["plan"]["id"]
    # when
    deleted = await client.execute(PLAN_DELETE, {"id": plan_id}, token=token)
    # then
    assert deleted["data"]["planDelete"]["errors"] == []
    [entry] = await _entries(client, token, operation="planDelete", objectType="ServicePlan")
    assert entry["action"] == "delete" and entry["changes"]["before"]["name"] == "Gold"


async def test_secrets_never_reach_the_log(client, shop):
    # given
    token = await client.login("carol", factories.PASSWORD)
    # when
    changed = await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": "an-entirely-new-one"},
                                   token=token)
    # then
    assert changed["data"]["passwordChange"]["errors"] == []
    [entry] = await _entries(client, token, operation="passwordChange", objectType="User")
    assert entry["changes"]["changed"]["password_hash"] == [recorder.REDACTED, recorder.REDACTED]
    assert "argon2" not in str(await _entries(client, await client.login("alpha", factories.PASSWORD)))


async def test_a_customer_reads_its_own_actions_and_staff_read_the_sellers(client, shop):
    # given carol and dave each change their password
    for name in ("carol", "dave"):
        token = await client.login(name, factories.PASSWORD)
        await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": f"new-{name}-passphrase"},
                             token=token)
    # when
    carol = await _entries(client, await client.login("carol", "new-carol-passphrase"), operation="passwordChange")
    staff = await _entries(client, await client.login("alpha", factories.PASSWORD), operation="passwordChange",
                           objectType="User")
    # then
    assert {(e["actorRole"], e["actorUserId"]) for e in carol} == {("customer", carol[0]["actorUserId"])}
    assert len([e for e in carol if e["objectType"] == "User"]) == 1
    assert len({e["actorUserId"] for e in staff}) == 2


async def test_another_sellers_staff_read_none_of_it(client, shop):
    # given
    factories.reseller(shop["provider"], "Bravo", "bravo")
    token = await client.login("alpha", factories.PASSWORD)
    await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Gold"}}, token=token)
    # when
    bravo = await _entries(client, await client.login("bravo", factories.PASSWORD), operation="planCreate")
    # then
    assert bravo == []


def test_a_refused_change_leaves_no_row(shop):
    # given
    context = TenantContext(Role.RESELLER, shop["seller"].seller_id)
    with session_scope(context) as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    # when the transaction that made a change rolls back
    with pytest.raises(RuntimeError), session_scope(context) as session:
        session.add(ServicePlan(seller_id=shop["seller"].seller_id, kind="service", name="Ghost"))
        session.flush()
        raise RuntimeError("undo")
    # then its audit row went with it
    with session_scope(context) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_an_automatic_action_names_its_source(shop):
    # given
    seller_id = shop["seller"].seller_id
    # when a worker changes a row for an event
    with recorder.origin(source="event", operation="expiration_check"), \
            session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        session.add(ServicePlan(seller_id=seller_id, kind="service", name="Auto"))
    # then
    with session_scope(TenantContext(Role.RESELLER, seller_id)) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "ServicePlan")).one()
    assert (entry.actor_role, entry.source, entry.operation) == ("system", "event", "expiration_check")


async def test_old_rows_move_to_an_archive_that_reads_back(client, shop, tmp_path, monkeypatch):
    # given five changes, then a year later
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "audit_archive_dir", tmp_path)
    token = await client.login("alpha", factories.PASSWORD)
    for number in range(5):
        await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": f"Plan {number}"}}, token=token)
    seller_id = shop["seller"].seller_id
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.seller_id == seller_id))
    # when ProcessActionLog runs past the retention
    with clock.frozen_at(clock.now() + timedelta(days=400)), session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        archive = service.archive_old_entries(session, seller_id=seller_id)
    # then the rows left the table for one checksummed file, and page back in order
    assert archive is not None and archive.entries == count
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.seller_id == seller_id, AuditEntry.operation == "planCreate")) == 0
    listed = await client.execute(ARCHIVES, token=token)
    [node] = [e["node"] for e in listed["data"]["auditArchives"]["edges"]]
    assert node["entries"] == count
    names, after = [], None
    while True:
        result = await client.execute(ARCHIVE_ENTRIES, {"id": node["id"], "after": after}, token=token)
        assert "errors" not in result, result
        page = result["data"]["auditArchiveEntries"]
        names += [edge["node"]["operation"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names.count("planCreate") == 5 and len(names) == count


def test_a_tampered_archive_is_refused(shop, tmp_path, monkeypatch):
    # given an archive
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "audit_archive_dir", tmp_path)
    seller_id = shop["seller"].seller_id
    context = TenantContext(Role.SYSTEM, seller_id)
    with session_scope(context) as session:
        session.add(ServicePlan(seller_id=seller_id, kind="service", name="Archived"))
    with clock.frozen_at(clock.now() + timedelta(days=400)), session_scope(context) as session:
        archive = service.archive_old_entries(session, seller_id=seller_id)
        archive_id, path = archive.id, service.archive_folder() / archive.path
    # when one byte of its content changes
    lines = gzip.decompress(path.read_bytes()).replace(b"Archived", b"Modified")
    path.write_bytes(gzip.compress(lines))
    # then reading it back is refused
    with session_scope(context) as session, pytest.raises(DomainError, match="checksum"):
        list(service.read_archive(session, seller_id=seller_id, archive_id=archive_id))
