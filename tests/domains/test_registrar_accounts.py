"""Registrar accounts against PostgreSQL: sealed settings, TLD activation, default registrar, reassignment."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from comptoir.database.engine import session_scope
from comptoir.domains import registrars, tlds
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import RegistrarAccount
from comptoir.security import secrets
from tests.domains.support import add_registrar, seller_with_registrar, staff


def _tlds(seller_id):  # type: ignore[no-untyped-def]
    with session_scope(staff(seller_id)) as session:
        return {t.name: (t.status, t.registrar_account_id) for t in tlds.list_all(session, seller_id=seller_id)}


def test_configuring_a_registrar_activates_the_tlds_it_supports_and_leaves_the_others_suspended() -> None:
    fixture = seller_with_registrar(tlds=["com", "net"])
    found = _tlds(fixture.seller.seller_id)
    assert found["com"] == ("active", fixture.account_id) and found["net"] == ("active", fixture.account_id)
    assert found["de"] == ("suspended", None) and found["shop"] == ("suspended", None)


def test_a_second_registrar_does_not_take_the_tlds_of_the_first_but_activates_new_ones() -> None:
    fixture = seller_with_registrar(tlds=["com"])
    second, _ = add_registrar(fixture.seller.seller_id, "Second", tlds=["com", "de"])
    found = _tlds(fixture.seller.seller_id)
    assert found["com"] == ("active", fixture.account_id)
    assert found["de"] == ("active", second)


def test_staff_reassign_a_tld_to_another_registrar_that_supports_it_only() -> None:
    fixture = seller_with_registrar(tlds=["com"])
    seller_id = fixture.seller.seller_id
    second, _ = add_registrar(seller_id, "Second", tlds=["com", "de"])
    with session_scope(staff(seller_id)) as session:
        com = tlds.by_name(session, seller_id=seller_id, name="com")
        registrars.assign_tld(session, seller_id=seller_id, tld_id=com.id, account_id=second)
        with pytest.raises(DomainsError) as refused:
            registrars.assign_tld(session, seller_id=seller_id, tld_id=com.id, account_id=fixture.account_id)
            registrars.assign_tld(session, seller_id=seller_id,
                                  tld_id=tlds.by_name(session, seller_id=seller_id, name="net").id,
                                  account_id=fixture.account_id)
        assert refused.value.code is DomainsErrorCode.TLD_NOT_SUPPORTED
    assert _tlds(seller_id)["com"] == ("active", fixture.account_id)


def test_disabling_a_registrar_suspends_its_tlds() -> None:
    fixture = seller_with_registrar(tlds=["com"])
    with session_scope(staff(fixture.seller.seller_id)) as session:
        registrars.disable(session, seller_id=fixture.seller.seller_id, account_id=fixture.account_id)
    assert _tlds(fixture.seller.seller_id)["com"] == ("suspended", None)


def test_a_custom_tld_starts_suspended_unless_a_registrar_supports_it() -> None:
    fixture = seller_with_registrar(tlds=["com", "berlin"])
    seller_id = fixture.seller.seller_id
    with session_scope(staff(seller_id)) as session:
        berlin = registrars.create_custom_tld(session, seller_id=seller_id, name=".Berlin")
        paris = registrars.create_custom_tld(session, seller_id=seller_id, name="paris")
        assert (berlin.name, berlin.status, berlin.custom) == ("berlin", "active", True)
        assert (paris.status, paris.registrar_account_id) == ("suspended", None)
        with pytest.raises(DomainsError) as again:
            registrars.create_custom_tld(session, seller_id=seller_id, name="paris")
        assert again.value.code is DomainsErrorCode.TLD_EXISTS


def test_secret_settings_are_sealed_at_rest_and_kept_when_an_edit_leaves_them_out(superuser_connection) -> None:  # type: ignore[no-untyped-def]
    fixture = seller_with_registrar()
    stored = superuser_connection.execute(text("SELECT settings FROM registrar_accounts WHERE id = %s").text,
                                          (fixture.account_id,)).fetchone()[0]
    assert stored["password"] != "s3cret" and secrets.unseal(stored["password"]) == "s3cret"
    with session_scope(staff(fixture.seller.seller_id)) as session:
        account = registrars.update(session, seller_id=fixture.seller.seller_id, account_id=fixture.account_id,
                                    changes=registrars.RegistrarAccountChanges(settings={"delayed": True}))
        assert registrars.public_settings(account)["password"] is True
        assert account.settings["delayed"] is True and secrets.unseal(account.settings["password"]) == "s3cret"


def test_settings_the_driver_does_not_accept_are_refused_with_the_field() -> None:
    fixture = seller_with_registrar()
    with session_scope(staff(fixture.seller.seller_id)) as session, pytest.raises(DomainsError) as refused:
        registrars.create(session, seller_id=fixture.seller.seller_id, driver="sandbox", name="Bad",
                          settings={"username": "", "polls_until_active": 0})
    assert refused.value.code is DomainsErrorCode.INVALID_SETTINGS and refused.value.field.startswith("settings.")
    with session_scope(staff(fixture.seller.seller_id)) as session, pytest.raises(DomainsError) as unknown:
        registrars.create(session, seller_id=fixture.seller.seller_id, driver="nope", name="Bad", settings={})
    assert unknown.value.code is DomainsErrorCode.UNKNOWN_DRIVER


def test_registrar_accounts_are_one_sellers() -> None:
    alpha = seller_with_registrar("alpha")
    bravo = seller_with_registrar("bravo")
    with session_scope(staff(bravo.seller.seller_id)) as session:
        assert session.get(RegistrarAccount, alpha.account_id) is None
        with pytest.raises(DomainsError):
            registrars.get_or_raise(session, seller_id=bravo.seller.seller_id, account_id=alpha.account_id)
