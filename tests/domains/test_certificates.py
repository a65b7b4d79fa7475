"""Buying a certificate: a conversation of rounds with the sandbox CA, then issued and installed on the
customer's webspace (dedicated address) by the local agent; providers in use cannot be disabled."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cryptography import x509
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.domains import certificate_orders, certificate_providers
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import CertificateOrder
from comptoir.hosting.server_models import SslCertificate
from comptoir.messaging.models import OutboundEmail
from comptoir.provisioning.sandbox_ca import sandbox_ca_certificate_pem
from comptoir.storefront import todos
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.domains.support import staff, system
from tests.hosting.support import pool_entry, subscribe


def seller_with_ca() -> tuple[factories.Actor, factories.Actor, uuid.UUID, uuid.UUID]:
    provider = factories.provider("prov")
    seller = factories.reseller(provider, "Alpha Hosting", "alpha_admin")
    customer = factories.customer(seller, "alpha_cust")
    with session_scope(staff(seller.seller_id)) as session:
        ca = certificate_providers.create(session, seller_id=seller.seller_id, driver="sandbox", name="Sandbox CA",
                                          settings={"api_key": "k3y"})
        plan = certificate_providers.create_plan(session, seller_id=seller.seller_id, provider_id=ca.id,
                                                 name="Domain validated", product="dv", currency="EUR",
                                                 yearly_price=4900)
        return provider, customer, ca.id, plan.id


def order_for(customer: factories.Actor, plan_id: uuid.UUID, subscription_id: uuid.UUID | None,
              common_name: str = "secure.example.com") -> uuid.UUID:
    with session_scope(system(customer.seller_id)) as session:
        return certificate_orders.place(session, seller_id=customer.seller_id, customer_id=customer.customer_id,
                                        plan_id=plan_id, common_name=common_name, subscription_id=subscription_id).id


def as_customer(customer: factories.Actor) -> TenantContext:
    return TenantContext(Role.CUSTOMER, customer.seller_id, customer_id=customer.customer_id)


def answer(customer: factories.Actor, order_id: uuid.UUID, answers: dict[str, str], **kwargs: Any) -> None:
    with session_scope(as_customer(customer)) as session:
        certificate_orders.submit(session, seller_id=customer.seller_id, order_id=order_id, answers=answers, **kwargs)


def round_(customer: factories.Actor, order_id: uuid.UUID) -> CertificateOrder:
    assert intents.perform("certificate_order", customer.seller_id, order_id) == "done"
    with session_scope(system(customer.seller_id)) as session:
        order = session.get_one(CertificateOrder, order_id)
        session.expunge(order)
        return order


def test_three_rounds_with_the_sandbox_ca_issue_a_certificate_installed_on_the_dedicated_webspace(
        monkeypatch, tmp_path, provisioning_dispatches) -> None:  # type: ignore[no-untyped-def]
    from comptoir.provisioning.local_agent import LocalDirectoryAgent
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    provider, customer, _, plan_id = seller_with_ca()
    entry = pool_entry(provider.seller_id, customer.seller_id, kind="dedicated")
    subscription_id = subscribe(customer.seller_id, entry, domain="secure.example.com",
                                customer_id=customer.customer_id)
    order_id = order_for(customer, plan_id, subscription_id)
    # the authority first says what it needs
    asked = round_(customer, order_id)
    assert (asked.state, asked.requested, asked.rounds) == ("user_input_required",
                                                            ["csr", "dcv_method", "contact_email"], 0)
    # round 1: a generated key and CSR, the validation method, a contact -> it asks for the organisation phone
    answer(customer, order_id, {"dcv_method": "email", "contact_email": "it@example.com"}, generate_key=True)
    first = round_(customer, order_id)
    assert (first.state, first.requested, first.rounds) == ("user_input_required", ["organisation_phone"], 1)
    # an answer left out is refused with its field
    with pytest.raises(DomainsError) as missing:
        answer(customer, order_id, {})
    assert (missing.value.code, missing.value.field) == (DomainsErrorCode.ANSWER_MISSING,
                                                          "answers.organisation_phone")
    # round 2: the phone -> it asks which address receives the validation e-mail
    answer(customer, order_id, {"organisation_phone": "+33 1 23 45 67 89"})
    assert round_(customer, order_id).requested == ["dcv_email"]
    # round 3: the DCV address -> issued
    answer(customer, order_id, {"dcv_email": "admin@secure.example.com"})
    issued = round_(customer, order_id)
    assert (issued.state, issued.rounds) == ("issued", 3)
    certificate = x509.load_pem_x509_certificate(issued.certificate_pem.encode())
    ca = x509.load_pem_x509_certificate(sandbox_ca_certificate_pem().encode())
    certificate.verify_directly_issued_by(ca)
    assert issued.expires_on == certificate.not_valid_after_utc.date()
    # kept in the seller's certificate store, bound to the address, written by the local agent
    with session_scope(staff(customer.seller_id)) as session:
        stored = session.get_one(SslCertificate, issued.ssl_certificate_id)
        assert stored.certificate_pem == issued.certificate_pem
        subjects = list(session.scalars(select(OutboundEmail.subject).where(
            OutboundEmail.template == "certificate_status").order_by(OutboundEmail.created_at)))
    assert subjects[-1] == "SSL certificate for secure.example.com: issued" and len(subjects) == 4
    for seller_id, request_id in provisioning_dispatches:
        assert intents.perform("provisioning", seller_id, request_id) == "done"
    home = LocalDirectoryAgent(tmp_path).webspace_path(subscription_id)
    written = (home.parent / ".agent" / f"{home.name}.pem").read_text()
    assert issued.certificate_pem.strip() in written and "PRIVATE KEY" in written


def test_a_certificate_for_a_webspace_on_a_shared_address_is_issued_but_not_installed() -> None:
    provider, customer, _, plan_id = seller_with_ca()
    entry = pool_entry(provider.seller_id, customer.seller_id, kind="shared")
    subscription_id = subscribe(customer.seller_id, entry, domain="shared.example.com",
                                customer_id=customer.customer_id)
    order_id = order_for(customer, plan_id, subscription_id, "shared.example.com")
    round_(customer, order_id)
    answer(customer, order_id, {"dcv_method": "dns", "contact_email": "it@example.com",
                                "organisation_phone": "+33 1", "dcv_email": "webmaster@shared.example.com"},
           generate_key=True)  # everything at once: one round is enough
    assert round_(customer, order_id).state == "issued"
    with session_scope(system(customer.seller_id)) as session:
        [item] = session.scalars(select(todos.TodoItem).where(todos.TodoItem.kind == "certificate_install_failed"))
        assert "dedicated IP address" in item.details


def test_a_csr_for_another_name_is_rejected_and_the_customer_told() -> None:
    _, customer, _, plan_id = seller_with_ca()
    order_id = order_for(customer, plan_id, None, "mine.example.com")
    round_(customer, order_id)
    from comptoir.domains.certificate_orders import _key_and_csr

    csr, _ = _key_and_csr("other.example.com")
    answer(customer, order_id, {"csr": csr, "dcv_method": "email", "contact_email": "a@b.test",
                                "organisation_phone": "1", "dcv_email": "admin@mine.example.com"})
    for _ in range(3):
        order = round_(customer, order_id)
        if order.state != "user_input_required":
            break
        answer(customer, order_id, {})
    assert order.state == "failed"


def test_a_customer_cannot_answer_another_customers_order() -> None:
    provider, customer, _, plan_id = seller_with_ca()
    other = factories.customer(factories.Actor(customer.seller_id, "alpha_admin"), "other_cust")
    order_id = order_for(customer, plan_id, None)
    round_(customer, order_id)
    with pytest.raises(DomainsError) as refused:
        answer(other, order_id, {"dcv_method": "email", "contact_email": "x@y.test"}, generate_key=True)
    assert refused.value.code is DomainsErrorCode.CERTIFICATE_ORDER_NOT_FOUND


def test_disabling_a_provider_used_by_plans_is_refused_but_an_unused_one_is_disabled() -> None:
    _, customer, ca_id, _ = seller_with_ca()
    seller_id = customer.seller_id
    with session_scope(staff(seller_id)) as session:
        with pytest.raises(DomainsError) as refused:
            certificate_providers.set_enabled(session, seller_id=seller_id, provider_id=ca_id, enabled=False)
        assert refused.value.code is DomainsErrorCode.PROVIDER_IN_USE
        unused = certificate_providers.create(session, seller_id=seller_id, driver="sandbox", name="Spare",
                                              settings={})
        assert not certificate_providers.set_enabled(session, seller_id=seller_id, provider_id=unused.id,
                                                     enabled=False).enabled
        with pytest.raises(DomainsError) as disabled:
            certificate_providers.create_plan(session, seller_id=seller_id, provider_id=unused.id, name="X",
                                              product="dv", currency="EUR", yearly_price=1)
        assert disabled.value.code is DomainsErrorCode.PROVIDER_DISABLED
