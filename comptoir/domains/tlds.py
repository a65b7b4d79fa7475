"""A seller's TLDs: the predefined set plus custom ones, each suspended and unassigned until a registrar
supporting it is configured; the first such registrar stays its default until staff reassign it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.domains import rules
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import RegistrarAccount, Tld
from comptoir.domains.rules import TldState


def ensure_predefined(session: Session, *, seller_id: uuid.UUID) -> None:
    """The predefined TLDs exist for the seller (suspended and unassigned when new)."""
    session.execute(insert(Tld).values([{"seller_id": seller_id, "name": name} for name in rules.PREDEFINED_TLDS])
                    .on_conflict_do_nothing(index_elements=[Tld.seller_id, Tld.name]))


def list_all(session: Session, *, seller_id: uuid.UUID) -> list[Tld]:
    ensure_predefined(session, seller_id=seller_id)
    return list(session.scalars(select(Tld).where(Tld.seller_id == seller_id).order_by(Tld.name)))


def by_name(session: Session, *, seller_id: uuid.UUID, name: str) -> Tld | None:
    return session.scalars(select(Tld).where(Tld.seller_id == seller_id, Tld.name == name)).one_or_none()


def get_or_raise(session: Session, *, seller_id: uuid.UUID, tld_id: uuid.UUID) -> Tld:
    tld = session.get(Tld, tld_id)
    if tld is None or tld.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.TLD_NOT_FOUND, "No such TLD.", field="id")
    return tld


def create_custom(session: Session, *, seller_id: uuid.UUID, name: str) -> Tld:
    """A custom TLD, suspended and unassigned (registrars.create_custom_tld activates it if one supports it)."""
    name = rules.normalize(name).lstrip(".")
    if not rules.TLD.match(name) or len(name) > 63:
        raise DomainsError(DomainsErrorCode.INVALID_DOMAIN_NAME, "A TLD is one or more labels (\"com\", \"co.uk\").",
                           field="name")
    ensure_predefined(session, seller_id=seller_id)
    if by_name(session, seller_id=seller_id, name=name) is not None:
        raise DomainsError(DomainsErrorCode.TLD_EXISTS, f"The TLD {name} exists.", field="name")
    tld = Tld(seller_id=seller_id, name=name, custom=True)
    session.add(tld)
    session.flush()
    return tld


def activate_supported(session: Session, *, seller_id: uuid.UUID, account: RegistrarAccount,
                       supported: Iterable[str]) -> list[Tld]:
    """Configuring a registrar: the unassigned TLDs it supports become active with it as default."""
    rows = list_all(session, seller_id=seller_id)
    after = rules.activate_for_registrar([_state(t) for t in rows], account_id=account.id, supported=supported)
    changed = [_apply(row, state) for row, state in zip(rows, after, strict=True) if _state(row) != state]
    session.flush()
    return changed


def release(session: Session, *, seller_id: uuid.UUID, account_id: uuid.UUID) -> None:
    """A registrar disabled: its TLDs fall back to suspended and unassigned."""
    rows = list(session.scalars(select(Tld).where(Tld.seller_id == seller_id, Tld.registrar_account_id == account_id)))
    for row, state in zip(rows, rules.release_registrar([_state(t) for t in rows], account_id=account_id),
                          strict=True):
        _apply(row, state)
    session.flush()


def assign_registrar(session: Session, *, seller_id: uuid.UUID, tld_id: uuid.UUID, account: RegistrarAccount,
                     supported: Iterable[str]) -> Tld:
    """Staff reassign a TLD to another enabled registrar that supports it."""
    tld = get_or_raise(session, seller_id=seller_id, tld_id=tld_id)
    if tld.name not in set(supported):
        raise DomainsError(DomainsErrorCode.TLD_NOT_SUPPORTED, f"This registrar does not sell .{tld.name}.",
                           field="registrarAccountId")
    tld.registrar_account_id, tld.status = account.id, rules.ACTIVE
    session.flush()
    return tld


def _state(tld: Tld) -> TldState:
    return TldState(tld.name, tld.status, tld.registrar_account_id)


def _apply(tld: Tld, state: TldState) -> Tld:
    tld.status, tld.registrar_account_id = state.status, state.registrar_account_id
    return tld
