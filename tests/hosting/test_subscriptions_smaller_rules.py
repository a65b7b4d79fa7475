"""Issue 8, smaller rules through the services: plan validity, mail-only plans, transfer preview, renewal of
expired subscriptions only, "proceed to customise" on a custom subscription, who may log in (SPEC §2, §4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from comptoir import clock
from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting import plan_values as pv
from comptoir.hosting import subscription_lifecycle, subscription_plans, subscriptions
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import ProvisioningRequest, Subscription
from comptoir.hosting.subscription_lifecycle import SuspensionReason
from comptoir.hosting.vocabulary import Resource
from comptoir.provisioning.local_agent import LocalDirectoryAgent
from comptoir.settings import get_settings
from comptoir.tenancy import auth
from comptoir.tenancy.allocation import ResellerOnlyPermission, ResellerPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.errors import AccountErrorCode
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import new, plan, pool_entry, subscribe, system


@pytest.fixture
def reseller():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, 100_000)])
    return provider, seller, pool_entry(provider.seller_id, seller.seller_id)


def expect_error(code, seller_id, work):
    with pytest.raises(DomainError) as raised, session_scope(system(seller_id)) as session:
        work(session)
    assert raised.value.code is code, raised.value.message


def test_plan_validity_must_be_positive_or_unlimited(reseller):
    _, seller, _ = reseller
    for count in (0, -1):
        with pytest.raises(DomainError) as raised:
            plan(seller.seller_id, f"Bad {count}",
                 values=replace(pv.default_plan_values(), validity=pv.ValidityPeriod(count, pv.ValidityUnit.DAYS)))
        assert (raised.value.code, raised.value.field) == (E.INVALID_VALIDITY, "values.validity")
    plan(seller.seller_id, "Unlimited", values=replace(pv.default_plan_values(), validity=None))


def test_a_mail_only_plan_creates_no_webspace(reseller, monkeypatch, tmp_path, published_intents):
    _, seller, entry = reseller
    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    base = pv.default_plan_values()
    mail_only = plan(seller.seller_id, "Mail only", values=replace(base, hosting=replace(
        base.hosting, hosting_enabled=False)))
    sid = subscribe(seller.seller_id, entry, plan_id=mail_only)
    with session_scope(system(seller.seller_id)) as session:
        assert session.scalars(select(ProvisioningRequest).where(ProvisioningRequest.subscription_id == sid)).all() == []
        subscription_plans.customize(session=session, subscription_id=sid, limits=[(Resource.MAILBOXES, 4)])
    for seller_id, request_id in published_intents["provisioning"]:  # a later change does not build one either
        assert intents.perform("provisioning", seller_id, request_id) == "done"
    assert published_intents["provisioning"]
    assert LocalDirectoryAgent(tmp_path).webspace_path(sid) is None


def test_the_transfer_preview_reports_the_same_errors_as_the_transfer(reseller):
    provider, seller, _ = reseller
    dedicated = pool_entry(provider.seller_id, seller.seller_id, kind="dedicated")
    first, second = factories.customer(seller, "first"), factories.customer(seller, "second")
    moving = subscribe(seller.seller_id, dedicated, customer_id=first.customer_id)
    subscribe(seller.seller_id, dedicated, customer_id=first.customer_id)
    expect_error(E.IP_DEDICATED_TO_ANOTHER_CUSTOMER, seller.seller_id, lambda s: subscription_lifecycle.preview_transfer(
        session=s, subscription_id=moving, to_customer_id=second.customer_id))
    expect_error(E.IP_DEDICATED_TO_ANOTHER_CUSTOMER, seller.seller_id, lambda s: subscription_lifecycle.transfer(
        session=s, subscription_id=moving, to_customer_id=second.customer_id))


def test_renewal_applies_to_expired_subscriptions_only(reseller):
    _, seller, entry = reseller
    monthly = plan(seller.seller_id, values=replace(pv.default_plan_values(),
                                                    validity=pv.ValidityPeriod(1, pv.ValidityUnit.MONTHS)))
    with clock.frozen_at(datetime(2026, 1, 10, tzinfo=UTC)):
        sid = subscribe(seller.seller_id, entry, plan_id=monthly)
        expect_error(E.NOT_EXPIRED, seller.seller_id, lambda s: subscription_lifecycle.renew(
            session=s, subscription_id=sid, expiration=date(2027, 1, 1)))
    with clock.frozen_at(datetime(2026, 2, 10, tzinfo=UTC)), session_scope(system(seller.seller_id)) as session:
        subscription_lifecycle.process_expirations(session=session, today=clock.today())
        renewed = subscription_lifecycle.renew(session=session, subscription_id=sid, expiration=None)
        assert (renewed.status, renewed.suspension_reason, renewed.expiration_date) == ("active", "", None)


def test_a_custom_subscription_created_with_proceed_to_customise_is_not_stuck_locked(reseller):
    _, seller, entry = reseller
    with session_scope(system(seller.seller_id)) as session:
        custom = subscriptions.create(session, seller_id=seller.seller_id, new=new(entry), lock=True)
        on_plan = subscriptions.create(session, seller_id=seller.seller_id,
                                       new=new(entry, plan_id=plan(seller.seller_id)), lock=True)
        assert (custom.sync_state, on_plan.sync_state) == ("synced", "locked")
        subscription_plans.customize(session=session, subscription_id=custom.id, limits=[(Resource.MAILBOXES, 2)])
        assert custom.sync_state == "synced"  # a custom subscription edits its own values, nothing to unlock
        subscription_plans.unlock_and_sync(session=session, subscription_id=on_plan.id)
        assert on_plan.sync_state == "synced"


# ---- who may log in ---------------------------------------------------------------------------

def log_in(actor: factories.Actor, channel: auth.Channel = auth.Channel.PANEL) -> str:
    with session_scope(None) as session:
        return auth.log_in(session, username=actor.username, password=actor.password,
                           client_address="198.51.100.10", channel=channel).token


def log_in_error(actor: factories.Actor, channel: auth.Channel = auth.Channel.PANEL) -> AccountErrorCode:
    with pytest.raises(DomainError) as raised:
        log_in(actor, channel)
    return raised.value.code


def suspend_all(seller_id, customer_id, reason: SuspensionReason) -> None:
    with session_scope(system(seller_id)) as session:
        for sid in session.scalars(select(Subscription.id).where(Subscription.customer_id == customer_id)):
            subscription_lifecycle.suspend(session=session, subscription_id=sid, reason=reason)
            if reason is SuspensionReason.EXPIRED:
                session.get_one(Subscription, sid).expiration_date = clock.today() - timedelta(days=1)


def test_a_customer_whose_only_subscriptions_expired_cannot_log_in(reseller):
    _, seller, entry = reseller
    carol = factories.customer(seller, "carol")
    subscribe(seller.seller_id, entry, customer_id=carol.customer_id)
    log_in(carol)
    suspend_all(seller.seller_id, carol.customer_id, SuspensionReason.EXPIRED)
    assert log_in_error(carol) is AccountErrorCode.SUBSCRIPTIONS_EXPIRED


@pytest.mark.parametrize("reason", [SuspensionReason.MANUAL, SuspensionReason.OVERUSE, SuspensionReason.BILLING])
def test_a_customer_suspended_for_another_reason_than_expiry_still_logs_in(reseller, reason):
    # A customer suspended for non-payment (BILLING) keeps its log-in, so that it can pay (SPEC §10).
    _, seller, _ = reseller
    carol = factories.customer(seller, "carol")
    suspend_all(seller.seller_id, carol.customer_id, reason)
    with session_scope(system(seller.seller_id)) as session:
        statuses = set(session.execute(select(Subscription.status, Subscription.suspension_reason).where(
            Subscription.customer_id == carol.customer_id)))
    assert statuses == {("suspended", reason.value)}
    assert log_in(carol)


def set_reseller_permissions(provider, seller, granted) -> None:
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        values = {p.value for p in granted}
        allocation.permissions = {p.value: p.value in values for p in ResellerPermission}  # type: ignore[attr-defined]


def authenticated(token: str) -> TenantContext | None:
    with session_scope(None) as session:
        return auth.authenticate(session, token=token)


def test_a_reseller_without_panel_access_cannot_log_in_and_loses_its_open_sessions(reseller):
    provider, seller, _ = reseller
    token = log_in(seller)
    assert authenticated(token) is not None
    set_reseller_permissions(provider, seller, {ResellerOnlyPermission.REMOTE_API_ACCESS})
    assert authenticated(token) is None
    assert log_in_error(seller) is AccountErrorCode.NO_PANEL_ACCESS
    assert log_in(seller, auth.Channel.API).startswith(auth.API_TOKEN_PREFIX)


def test_a_reseller_without_remote_api_access_gets_no_api_token_and_its_tokens_stop(reseller):
    provider, seller, _ = reseller
    api_token = log_in(seller, auth.Channel.API)
    assert authenticated(api_token).role is Role.RESELLER
    set_reseller_permissions(provider, seller, {ResellerOnlyPermission.PANEL_ACCESS})
    assert authenticated(api_token) is None
    assert log_in_error(seller, auth.Channel.API) is AccountErrorCode.NO_API_ACCESS
    assert authenticated(log_in(seller)) is not None


def test_the_resellers_customers_log_in_whatever_the_resellers_own_access(reseller):
    provider, seller, _ = reseller
    carol = factories.customer(seller, "carol")
    set_reseller_permissions(provider, seller, set())
    assert authenticated(log_in(carol)).customer_id == carol.customer_id
