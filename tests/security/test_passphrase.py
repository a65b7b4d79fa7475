"""Passphrase mode through GraphQL: the seller's secrets lock, automation is told it cannot run, staff
unlock them for one operation."""

from __future__ import annotations

import pytest

from comptoir.database.engine import session_scope
from comptoir.hosting.models import Subscription
from comptoir.schema.ids import encode_id
from comptoir.security import rotation, secrets
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.hosting import support as hosting
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

PASSPHRASE = "correct horse battery staple"
SETTINGS = "{ encryptionSettings { passphraseRequired automationAvailable message unlocked } }"
ENABLE = """mutation Enable($p: String!) { encryptionPassphraseEnable(input: {passphrase: $p}) {
  encryptionSettings { passphraseRequired automationAvailable message } errors { code field message } } }"""
UNLOCK = """mutation Unlock($p: String!) { encryptionUnlock(input: {passphrase: $p}) {
  encryptionSettings { unlocked } errors { code field } } }"""
CHANGE_PASSWORD = """mutation Change($id: ID!, $pw: String!) {
  subscriptionHostingSettingsUpdate(input: {id: $id, systemPassword: $pw}) { errors { code message } } }"""
UNLOCK_THEN_CHANGE = """mutation UnlockThenChange($p: String!, $id: ID!, $pw: String!) {
  encryptionUnlock(input: {passphrase: $p}) { encryptionSettings { unlocked } errors { code } }
  subscriptionHostingSettingsUpdate(input: {id: $id, systemPassword: $pw}) { errors { code message } } }"""


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    provider = factories.provider("root")
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha_admin")
    subscription_id = hosting.subscribe(alpha.seller_id, hosting.pool_entry(provider.seller_id, alpha.seller_id))
    return {"alpha": alpha, "subscription": subscription_id, "token": factories.log_in(alpha)}


def stored_password(world) -> str:  # type: ignore[no-untyped-def]
    with session_scope(TenantContext(Role.SYSTEM, world["alpha"].seller_id)) as session:
        return session.get(Subscription, world["subscription"]).system_password  # type: ignore[union-attr]


def automation_can_decrypt(world) -> bool:  # type: ignore[no-untyped-def]
    with session_scope(TenantContext(Role.SYSTEM, world["alpha"].seller_id)) as session:
        return secrets.automation_can_decrypt(session, world["alpha"].seller_id)


async def test_without_a_passphrase_automation_is_available(client, world) -> None:  # type: ignore[no-untyped-def]
    result = await client.execute(SETTINGS, token=world["token"])
    assert result["data"]["encryptionSettings"] | {"message": ""} == {
        "passphraseRequired": False, "automationAvailable": True, "message": "", "unlocked": False}
    assert automation_can_decrypt(world)


async def test_a_short_passphrase_is_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    result = await client.execute(ENABLE, {"p": "short"}, token=world["token"])
    assert result["data"]["encryptionPassphraseEnable"]["errors"][0]["code"] == "PASSPHRASE_TOO_SHORT"
    assert automation_can_decrypt(world)


async def test_passphrase_mode_disables_automation_and_says_so(client, world) -> None:  # type: ignore[no-untyped-def]
    # when the seller chooses a passphrase
    result = await client.execute(ENABLE, {"p": PASSPHRASE}, token=world["token"])
    # then the API and automation both learn that its secrets need it
    settings = result["data"]["encryptionPassphraseEnable"]["encryptionSettings"]
    assert settings["passphraseRequired"] is True and settings["automationAvailable"] is False
    assert "automatic charging" in settings["message"] and "disabled" in settings["message"]
    assert not automation_can_decrypt(world)
    # and nothing the system holds opens them: the stored password stays shut without the passphrase
    with pytest.raises(secrets.PassphraseRequired):
        secrets.unseal(stored_password(world))
    # and a second passphrase is refused
    again = await client.execute(ENABLE, {"p": PASSPHRASE + "!"}, token=world["token"])
    assert again["data"]["encryptionPassphraseEnable"]["errors"][0]["code"] == "PASSPHRASE_ALREADY_SET"


async def test_an_operation_needing_a_locked_secret_fails_with_a_clear_message(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.execute(ENABLE, {"p": PASSPHRASE}, token=world["token"])
    subscription_id = encode_id("Subscription", world["subscription"])
    result = await client.execute(CHANGE_PASSWORD, {"id": subscription_id, "pw": "new-password-1"},
                                  token=world["token"])
    [error] = result["data"]["subscriptionHostingSettingsUpdate"]["errors"]
    assert error["code"] == "PERMISSION_DENIED" and "encryptionUnlock" in error["message"]


async def test_unlocking_opens_the_secrets_for_that_operation_only(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.execute(ENABLE, {"p": PASSPHRASE}, token=world["token"])
    subscription_id = encode_id("Subscription", world["subscription"])
    # when one document unlocks, then changes the sealed password
    result = await client.execute(UNLOCK_THEN_CHANGE, {"p": PASSPHRASE, "id": subscription_id, "pw": "new-password-1"},
                                  token=world["token"])
    # then both succeed
    assert result["data"]["encryptionUnlock"] == {"encryptionSettings": {"unlocked": True}, "errors": []}
    assert result["data"]["subscriptionHostingSettingsUpdate"]["errors"] == []
    # and the next operation is locked again
    later = await client.execute(SETTINGS, token=world["token"])
    assert later["data"]["encryptionSettings"]["unlocked"] is False
    with pytest.raises(secrets.PassphraseRequired):
        secrets.unseal(stored_password(world))
    # while code given the passphrase reads the new password
    with secrets.operation(), session_scope(TenantContext(Role.SYSTEM, world["alpha"].seller_id)) as session:
        secrets.unlock(session, world["alpha"].seller_id, PASSPHRASE)
        assert secrets.unseal(stored_password(world)) == "new-password-1"


async def test_a_wrong_passphrase_unlocks_nothing(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.execute(ENABLE, {"p": PASSPHRASE}, token=world["token"])
    result = await client.execute(UNLOCK, {"p": "wrong passphrase!"}, token=world["token"])
    assert result["data"]["encryptionUnlock"]["errors"] == [{"code": "WRONG_PASSPHRASE", "field": "passphrase"}]


async def test_rotation_leaves_a_passphrase_sellers_values_under_its_own_key(client, world) -> None:  # type: ignore[no-untyped-def]
    await client.execute(ENABLE, {"p": PASSPHRASE}, token=world["token"])
    before = stored_password(world)
    with session_scope(TenantContext(Role.PROVIDER, world["alpha"].seller_id)) as session:
        report = rotation.rotate(session.connection(), secrets.sealed_columns())
    assert (report.keys_replaced, report.values_locked) == (0, 1)
    assert stored_password(world) == before
