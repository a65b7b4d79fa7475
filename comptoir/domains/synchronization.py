"""ProcessDomainSynchronization (weekly, SPEC §10): each domain's expiry date as its registrar lists it.

It moves the domain's `expires_on` only (the renewal date listed), never a subscription's billing dates;
each difference becomes a to-do item the seller sees on its home (kind `domain_expiry_changed`).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.domains import registrars
from comptoir.domains.models import Domain, RegistrarAccount
from comptoir.provisioning.registrar import RegistrarError, RegistrarUnreachable
from comptoir.storefront import todos

TODO_KIND = "domain_expiry_changed"
SYNCED_STATUSES = ("active", "expired")


def synchronize(session: Session, *, seller_id: uuid.UUID, today: date) -> dict[str, Any]:
    """Refresh every registered domain of the seller; returns what it checked, changed and could not ask."""
    accounts = {a.id: a for a in session.scalars(select(RegistrarAccount).where(RegistrarAccount.seller_id == seller_id))}
    domains = list(session.scalars(select(Domain).where(Domain.seller_id == seller_id,
                                                        Domain.status.in_(SYNCED_STATUSES)).order_by(Domain.name)))
    changed, unreachable = [], []
    for domain in domains:
        account = accounts.get(domain.registrar_account_id)
        if account is None or not account.enabled:
            continue
        try:
            info = registrars.driver_of(account).info(domain.name)
        except (RegistrarError, RegistrarUnreachable):
            unreachable.append(domain.name)
            continue
        if info.expires_on is not None and info.expires_on != domain.expires_on:
            _record_difference(session, domain, info.expires_on)
            changed.append(domain.name)
        expired = domain.expires_on is not None and domain.expires_on < today
        domain.status = "expired" if expired else "active"
    session.flush()
    return {"checked": len(domains), "changed": changed, "unreachable": unreachable}


def _record_difference(session: Session, domain: Domain, listed: date) -> None:
    previous = domain.expires_on
    domain.expires_on, domain.updated_at = listed, clock.now()
    todos.create(session, seller_id=domain.seller_id, todo=todos.NewTodo(
        kind=TODO_KIND, subject=todos.Subject("Domain", domain.id),
        title=f"{domain.name}: the registrar lists {listed.isoformat()}"[:255],
        details=f"Renewal date was {previous.isoformat() if previous else 'unknown'}, the registrar now lists "
                f"{listed.isoformat()}. Billing dates were not changed."))


def open_differences(session: Session, *, seller_id: uuid.UUID) -> int:
    """How many renewal-date differences await a look (for the seller's home)."""
    return sum(1 for item in session.scalars(select(todos.TodoItem.id).where(
        todos.TodoItem.seller_id == seller_id, todos.TodoItem.kind == TODO_KIND,
        todos.TodoItem.status == todos.TodoStatus.OPEN.value)))
