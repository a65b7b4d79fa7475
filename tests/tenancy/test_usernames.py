"""Usernames are unique across the whole instance, without regard to case, whatever the tenant."""

from __future__ import annotations

import pytest

from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.tenancy import customers
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.errors import ValidationErrorCode
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def _create_customer(seller: factories.Actor, username: str):
    with session_scope(TenantContext(Role.SYSTEM, seller.seller_id)) as session:
        return customers.create(session, seller_id=seller.seller_id, contact_name="Dave", email="dave@c.test",
                                username=username, password=factories.PASSWORD)


@pytest.mark.parametrize("username", ["resell", "RESELL", "carol", "Carol", "boss", "other"])
def test_a_customer_cannot_take_a_username_used_in_any_tenant(username):
    # given
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Resell", "resell")
    factories.customer(reseller, "carol")
    other = factories.reseller(provider, "Other", "other")
    # when
    with pytest.raises(DomainError) as refused:
        _create_customer(other, username)
    # then
    assert (refused.value.code, refused.value.field) == (ValidationErrorCode.USERNAME_TAKEN, "username")


def test_a_refused_username_leaves_the_transaction_usable_for_another_try():
    # given
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Resell", "resell")
    # when
    with session_scope(TenantContext(Role.SYSTEM, reseller.seller_id)) as session:
        with pytest.raises(DomainError):
            customers.create(session, seller_id=reseller.seller_id, contact_name="Dave", email="dave@c.test",
                             username="BOSS", password=factories.PASSWORD)
        made = customers.create(session, seller_id=reseller.seller_id, contact_name="Dave", email="dave@c.test",
                                username="dave", password=factories.PASSWORD)
    # then
    assert made.id is not None
