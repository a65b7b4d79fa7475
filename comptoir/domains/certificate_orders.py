"""Buying a certificate: a conversation with the certificate authority (SPEC §7).

An order is an intent: each round (the order placed, then each customer submission) the worker hands
the authority every answer so far. It asks for more (`user_input_required`: the customer is e-mailed
what), validates, issues or rejects. Issued, the certificate enters the seller's certificate store with
the key generated for it, and a certificate bought for a hosting subscription is bound to that
subscription's address, which must be dedicated; the webspace then presents it (provisioning).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.intents import IntentStatus
from comptoir.domains import certificate_providers, rules
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import CertificateOrder, CertificatePlan
from comptoir.errors import DomainError
from comptoir.hosting import certificates, ip_pools, ip_rules
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.models import IpPoolEntry, Subscription
from comptoir.messaging import outbox
from comptoir.provisioning.certificate_authority import CaAnswer, CaStatus, CertificateRequest
from comptoir.security import secrets
from comptoir.storefront import todos
from comptoir.tenancy.models import Customer

MAX_ATTEMPTS = 6
MAX_ANSWER_LENGTH = 20_000
PRIVATE_KEY = "private_key"  # sealed, never shown nor sent to the authority
TODO_KIND = "certificate_install_failed"


def place(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, plan_id: uuid.UUID, common_name: str,
          subscription_id: uuid.UUID | None = None) -> CertificateOrder:
    """Order a certificate of `plan` for `common_name` (for a hosting subscription of the customer, if given);
    the first round asks the authority what it needs."""
    plan = session.get(CertificatePlan, plan_id)
    if plan is None or plan.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.CERTIFICATE_PLAN_NOT_FOUND, "No such certificate plan.", field="planId")
    common_name = rules.normalize(common_name)
    if not rules.is_domain_name(common_name):
        raise DomainsError(DomainsErrorCode.INVALID_DOMAIN_NAME, "A certificate is for a domain name.",
                           field="commonName")
    if subscription_id is not None:
        owner = session.scalar(select(Subscription.customer_id).where(Subscription.id == subscription_id))
        if owner != customer_id:
            raise DomainsError(DomainsErrorCode.DOMAIN_NOT_FOUND, "No such subscription of the customer.",
                               field="subscriptionId")
    order = CertificateOrder(seller_id=seller_id, customer_id=customer_id, plan_id=plan.id, common_name=common_name,
                             subscription_id=subscription_id, state="submitted")
    session.add(order)
    session.flush()
    return order


def get_or_raise(session: Session, *, seller_id: uuid.UUID, order_id: uuid.UUID) -> CertificateOrder:
    order = session.get(CertificateOrder, order_id)
    if order is None or order.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.CERTIFICATE_ORDER_NOT_FOUND, "No such certificate order.", field="id")
    return order


def list_all(session: Session, *, seller_id: uuid.UUID) -> list[CertificateOrder]:
    """The seller's certificate orders (a customer's context: its own, by row security)."""
    return list(session.scalars(select(CertificateOrder).where(CertificateOrder.seller_id == seller_id)
                                .order_by(CertificateOrder.created_at.desc(), CertificateOrder.id)))


def submit(session: Session, *, seller_id: uuid.UUID, order_id: uuid.UUID, answers: Mapping[str, str],
           generate_key: bool = False) -> CertificateOrder:
    """The customer answers what the authority asked (`generate_key`: we make the key and CSR); the order
    goes back to the worker for the next round."""
    order = get_or_raise(session, seller_id=seller_id, order_id=order_id)
    if order.state != "user_input_required":
        raise DomainsError(DomainsErrorCode.NO_INPUT_EXPECTED, "The authority is not waiting for answers.", field="id")
    given = {key: str(value).strip() for key, value in answers.items() if key != PRIVATE_KEY and str(value).strip()}
    if any(len(value) > MAX_ANSWER_LENGTH for value in given.values()):
        raise DomainsError(DomainsErrorCode.INVALID_SETTINGS, "An answer is too long.", field="answers")
    if generate_key and "csr" in order.requested:
        given["csr"], key_pem = _key_and_csr(order.common_name)
        given[PRIVATE_KEY] = secrets.seal(key_pem, seller_id=seller_id)
    missing = [name for name in order.requested if not given.get(name) and not order.answers.get(name)]
    if missing:
        raise DomainsError(DomainsErrorCode.ANSWER_MISSING, f"Still to answer: {', '.join(missing)}.",
                           field=f"answers.{missing[0]}")
    if "csr" in given:
        _check_csr(given["csr"])
    order.answers = {**order.answers, **given}
    order.state, order.status, order.next_attempt_at = "submitted", IntentStatus.PENDING.value, func.now()
    session.flush()
    return order


def _key_and_csr(common_name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
           .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return csr.public_bytes(serialization.Encoding.PEM).decode(), key_pem


def _check_csr(pem: str) -> None:
    try:
        x509.load_pem_x509_csr(pem.encode())
    except ValueError:
        raise DomainsError(DomainsErrorCode.INVALID_SETTINGS, "This is not a PEM certificate signing request.",
                           field="answers.csr") from None


# ---- the worker's side: one round with the authority ----------------------------------------------------

def perform_round(session: Session, order: CertificateOrder) -> None:
    """Hand the authority every answer so far and record what it says (the intent handler)."""
    plan = session.get_one(CertificatePlan, order.plan_id)
    provider = certificate_providers.get_or_raise(session, seller_id=order.seller_id, provider_id=plan.provider_id)
    answers = {k: v for k, v in order.answers.items() if k != PRIVATE_KEY}
    answer = certificate_providers.authority_of(provider).submit(CertificateRequest(
        product=plan.product, common_name=order.common_name, answers=answers, reference=order.provider_reference))
    if order.answers:
        order.rounds += 1
    order.provider_reference = answer.reference
    if answer.status is CaStatus.USER_INPUT_REQUIRED:
        order.state, order.requested = "user_input_required", list(answer.requested)
        _tell_customer(session, order, reason="")
    elif answer.status is CaStatus.PENDING_VALIDATION:
        order.state = "pending_validation"
    elif answer.status is CaStatus.ISSUED:
        _issued(session, order, answer)
    else:
        order.state, order.requested = "failed", []
        _tell_customer(session, order, reason=answer.message)
    order.updated_at = clock.now()
    session.flush()


def _issued(session: Session, order: CertificateOrder, answer: CaAnswer) -> None:
    order.state, order.requested = "issued", []
    order.certificate_pem, order.expires_on = answer.certificate_pem, answer.expires_on
    sealed_key = order.answers.get(PRIVATE_KEY)
    if sealed_key:  # we hold the key: the certificate enters the seller's store and may be installed
        stored = certificates.add(session=session, seller_id=order.seller_id,
                                  name=f"{order.common_name} ({str(order.id)[:8]})",
                                  certificate_pem=answer.certificate_pem, private_key_pem=secrets.unseal(sealed_key))
        order.ssl_certificate_id = stored.id
        if order.subscription_id is not None:
            _install(session, order)
    _tell_customer(session, order, reason="")


def _install(session: Session, order: CertificateOrder) -> None:
    """Bind the certificate to the subscription's address; a shared address cannot present it (SPEC §3)."""
    subscription = session.get_one(Subscription, order.subscription_id)
    entry = session.get_one(IpPoolEntry, subscription.ip_pool_id)
    try:
        if ip_rules.dedicated_ip_problem(entry.type, {"hosting.genuine_ssl": True}):
            raise DomainError(HostingErrorCode.DEDICATED_IP_REQUIRED,
                              "A genuine SSL certificate needs a dedicated IP address; this one is shared.")
        ip_pools.set_certificate(session=session, seller_id=order.seller_id, entry_id=entry.id,
                                 certificate_id=order.ssl_certificate_id)
    except DomainError as refusal:
        todos.create(session, seller_id=order.seller_id, todo=todos.NewTodo(
            kind=TODO_KIND, subject=todos.Subject("Subscription", subscription.id),
            title=f"Install the certificate of {order.common_name}"[:255], details=refusal.message))


def _tell_customer(session: Session, order: CertificateOrder, *, reason: str) -> None:
    customer = session.get_one(Customer, order.customer_id)
    variables: dict[str, Any] = {"name": customer.contact_name, "domain": order.common_name, "status": order.state,
                                 "requested": ", ".join(order.requested), "expires_on": str(order.expires_on or "")}
    outbox.enqueue(session=session, seller_id=order.seller_id, customer_id=customer.id, to_address=customer.email,
                   template="certificate_status", language=customer.locale or "en", variables=variables)
