"""The domain step of an order, and every registrar operation: an intent (`domain_operations`).

`start_domain_step` writes the intent in the caller's transaction; `perform` (a worker, as system)
registers, transfers or renews through the registrar driver and records the domain. A registrar that
accepts a registration without completing it leaves the intent pending: it is polled again at
`next_attempt_at`. A refusal that retrying cannot fix (name taken, wrong auth code, the registrar says
no), or an outage past the last attempt, fails the step: a to-do item for the seller and a
`domain_status` e-mail for the customer.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database import intents
from comptoir.database.engine import session_scope
from comptoir.database.intents import IntentStatus
from comptoir.domains import listeners, registrars, rules
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import Domain, DomainOperation
from comptoir.messaging import outbox
from comptoir.provisioning.registrar import Contact, DomainInfo, RegistrarError, RemoteStatus
from comptoir.security import secrets
from comptoir.storefront import todos
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer

MAX_ATTEMPTS = 6
POLL_INTERVAL = timedelta(minutes=5)
ACTIONS = ("register", "transfer")
TODO_KIND = "domain_operation_failed"
WAITING = {RemoteStatus.PENDING: "pending", RemoteStatus.TRANSFER_PENDING: "transfer_pending"}


def start_domain_step(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, order_id: uuid.UUID | None,
                      name: str, action: str, years: int, auth_code: str = "") -> DomainOperation:
    """Write the intent to register or transfer `name` for the customer (once per order and name: a
    retried step gets the operation it wrote before)."""
    name = rules.normalize(name)
    if order_id is not None:
        existing = session.scalars(select(DomainOperation).where(
            DomainOperation.seller_id == seller_id, DomainOperation.order_id == order_id,
            DomainOperation.name == name)).one_or_none()
        if existing is not None:
            return existing
    if action not in ACTIONS:
        raise DomainsError(DomainsErrorCode.INVALID_DOMAIN_NAME, "Register or transfer.", field="action")
    if not rules.is_domain_name(name):
        raise DomainsError(DomainsErrorCode.INVALID_DOMAIN_NAME, "This is not a domain name.", field="name")
    if not 1 <= years <= rules.MAX_YEARS:
        raise DomainsError(DomainsErrorCode.INVALID_YEARS, f"From 1 to {rules.MAX_YEARS} years.", field="years")
    if action == "transfer" and not auth_code.strip():
        raise DomainsError(DomainsErrorCode.AUTH_CODE_REQUIRED, "A transfer needs the domain's auth code.",
                           field="authCode")
    tld, account = registrars.for_name(session, seller_id=seller_id, name=name)
    domain = _pending_domain(session, seller_id=seller_id, customer_id=customer_id, name=name, tld=tld.name,
                             account_id=account.id, action=action)
    operation = DomainOperation(
        seller_id=seller_id, customer_id=customer_id, order_id=order_id, domain_id=domain.id, action=action,
        name=name, years=years, registrar_account_id=account.id,
        auth_code=secrets.seal(auth_code.strip(), seller_id=seller_id) if auth_code.strip() else "")
    session.add(operation)
    session.flush()
    return operation


def _pending_domain(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, name: str, tld: str,
                    account_id: uuid.UUID, action: str) -> Domain:
    domain = session.scalars(select(Domain).where(Domain.seller_id == seller_id, Domain.name == name)
                             .with_for_update()).one_or_none()
    if domain is not None and domain.status != "failed":
        raise DomainsError(DomainsErrorCode.DOMAIN_EXISTS, "This domain is already managed here.", field="name")
    if domain is None:
        domain = Domain(seller_id=seller_id, customer_id=customer_id, name=name, tld=tld)
        session.add(domain)
    domain.customer_id, domain.registrar_account_id = customer_id, account_id
    domain.status = "pending" if action == "register" else "transfer_pending"
    domain.updated_at = clock.now()
    session.flush()
    return domain


def request_renewal(session: Session, *, seller_id: uuid.UUID, domain_id: uuid.UUID, years: int) -> DomainOperation:
    """Renew an active domain for `years` more years (an intent; the expiry moves once the registrar did it)."""
    domain = session.get(Domain, domain_id)
    if domain is None or domain.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.DOMAIN_NOT_FOUND, "No such domain.", field="id")
    if domain.status not in ("active", "expired"):
        raise DomainsError(DomainsErrorCode.DOMAIN_NOT_ACTIVE, "Only a registered domain can be renewed.", field="id")
    if not 1 <= years <= rules.MAX_YEARS:
        raise DomainsError(DomainsErrorCode.INVALID_YEARS, f"From 1 to {rules.MAX_YEARS} years.", field="years")
    operation = DomainOperation(seller_id=seller_id, customer_id=domain.customer_id, domain_id=domain.id,
                                action="renew", name=domain.name, years=years,
                                registrar_account_id=domain.registrar_account_id)
    session.add(operation)
    session.flush()
    return operation


# ---- the worker's side -------------------------------------------------------------------------------

def perform(seller_id: uuid.UUID, operation_id: uuid.UUID) -> str:
    """Carry out (or poll) one operation, idempotently; returns its status afterwards."""
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        operation = intents.lock(session, DomainOperation, operation_id, skip_locked=True)
        if operation is None or operation.is_finished:
            return operation.status if operation else "missing"
        try:
            with session.begin_nested():
                _step(session, operation)
        except RegistrarError as refusal:
            operation.attempts += 1
            _give_up(session, operation, refusal.message)
        except Exception as error:  # noqa: BLE001 -- an outage of the outside world: retried
            operation.attempts += 1
            intents.mark_failed_attempt(operation, f"{type(error).__name__}: {error}", max_attempts=MAX_ATTEMPTS)
            if operation.status == IntentStatus.FAILED.value:
                _give_up(session, operation, "the registrar did not answer")
        session.flush()
        return operation.status


def _step(session: Session, operation: DomainOperation) -> None:
    account = registrars.get_or_raise(session, seller_id=operation.seller_id,
                                      account_id=operation.registrar_account_id)
    driver = registrars.driver_of(account)
    domain = session.get_one(Domain, operation.domain_id, with_for_update=True)
    if operation.outcome == "submitted":  # the registrar accepted it earlier: poll
        info = driver.info(operation.name)
    elif operation.action == "register":
        info = driver.register(operation.name, years=operation.years, contact=_contact(session, operation),
                               name_servers=tuple(domain.name_servers))
    elif operation.action == "transfer":
        info = driver.transfer(operation.name, auth_code=secrets.unseal(operation.auth_code) if operation.auth_code
                               else "", years=operation.years, contact=_contact(session, operation))
    else:
        info = driver.renew(operation.name, years=operation.years)
    operation.outcome = "submitted"
    if info.status in WAITING:
        domain.status = WAITING[info.status]
        operation.next_attempt_at = func.now() + POLL_INTERVAL
        session.flush()
        return
    _record(domain, info, operation)
    operation.outcome = "completed"
    intents.mark_done(operation)
    session.flush()
    if operation.action != "renew":
        listeners.domain_ready(session, domain, operation)
        _tell_customer(session, operation, status="active", reason="", expires_on=str(domain.expires_on or ""))


def _record(domain: Domain, info: DomainInfo, operation: DomainOperation) -> None:
    domain.status = "expired" if info.status is RemoteStatus.EXPIRED else "active"
    domain.expires_on = info.expires_on
    domain.registered_on = domain.registered_on or info.registered_on
    if info.name_servers:
        domain.name_servers = list(info.name_servers)
    domain.locked = info.locked
    if operation.auth_code and not domain.auth_code:
        domain.auth_code = operation.auth_code
    domain.updated_at = clock.now()


def _contact(session: Session, operation: DomainOperation) -> Contact:
    customer = session.get_one(Customer, operation.customer_id)
    return Contact(name=customer.contact_name, email=customer.email, country=customer.country, phone=customer.phone,
                   organisation=customer.company_name)


def _give_up(session: Session, operation: DomainOperation, reason: str) -> None:
    """A person must look: the step fails, the seller gets a to-do item, the customer an e-mail."""
    operation.status, operation.done_at, operation.last_error = IntentStatus.FAILED.value, func.now(), reason[:1000]
    operation.outcome = "failed"
    domain = session.get(Domain, operation.domain_id) if operation.domain_id else None
    if domain is not None and operation.action != "renew":
        domain.status, domain.updated_at = "failed", clock.now()
    subject = (todos.Subject("Order", operation.order_id) if operation.order_id
               else todos.Subject("Domain", operation.domain_id) if operation.domain_id else None)
    todos.create(session, seller_id=operation.seller_id, todo=todos.NewTodo(
        kind=TODO_KIND, subject=subject, title=f"Could not {operation.action} {operation.name}"[:255],
        details=reason))
    _tell_customer(session, operation, status="failed", reason=reason, expires_on="")


def _tell_customer(session: Session, operation: DomainOperation, *, status: str, reason: str, expires_on: str) -> None:
    customer = session.get_one(Customer, operation.customer_id)
    outbox.enqueue(session=session, seller_id=operation.seller_id, customer_id=customer.id, to_address=customer.email,
                   template="domain_status", language=customer.locale or "en", variables={
                       "name": customer.contact_name, "domain": operation.name, "status": status,
                       "action": operation.action, "reason": reason, "expires_on": expires_on})
