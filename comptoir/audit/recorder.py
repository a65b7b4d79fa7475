"""Record every change in the audit log, in the transaction that makes it.

Two SQLAlchemy hooks on every Session: after each flush, one row per inserted, updated or deleted object
(a JSON diff, secrets redacted); and one row per ORM bulk statement (INSERT/UPDATE/DELETE … through
`session.execute`). Who acted comes from the tenant context; where from (GraphQL request, scheduled
event, intent) from `origin`. A mutation that changed no row still gets one "operation" row
(`record_operation`), so that every mutation leaves a trace.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import ORMExecuteState, Session

from comptoir import clock
from comptoir.audit.models import AuditArchive, AuditEntry
from comptoir.tenancy import context as tenant

REDACTED = "[redacted]"
MAX_TEXT = 2000
# Column names (split on "_") holding secrets: their values never reach the log.
SECRET_WORDS = frozenset({"password", "secret", "secrets", "token", "hash", "pan", "cvv", "cvc", "iban", "pem",
                          "passphrase", "credentials", "sealed", "private", "otp", "signature"})
SECRET_NAMES = frozenset({"auth_code", "api_key", "card_number", "private_key", "key_pem"})
# Measurements and scheduler bookkeeping, not changes a person or an automation decided.
QUIET_TABLES = frozenset({AuditEntry.__tablename__, AuditArchive.__tablename__, "scheduled_events",
                          "subscription_usage"})
# Intent bookkeeping (attempts, leases) and session heartbeats are noise; any other column is recorded.
QUIET_COLUMNS = frozenset({"status", "attempts", "next_attempt_at", "last_error", "updated_at", "done_at",
                           "last_seen_at"})


@dataclasses.dataclass(frozen=True)
class Origin:
    source: str = "direct"  # graphql, event, intent, cli, direct (tests, scripts)
    operation: str = ""
    request_id: str = ""
    client_address: str = ""


_origin: ContextVar[Origin] = ContextVar("comptoir_audit_origin", default=Origin())
_COUNT_KEY = "comptoir.audit_rows"


def current_origin() -> Origin:
    return _origin.get()


@contextlib.contextmanager
def origin(**fields: str) -> Iterator[Origin]:
    """Run a block with these origin fields (the rest kept from the enclosing origin)."""
    token = _origin.set(dataclasses.replace(_origin.get(), **fields))
    try:
        yield _origin.get()
    finally:
        _origin.reset(token)


def set_origin(**fields: str) -> None:
    """For a whole request or task (its context ends with it)."""
    _origin.set(dataclasses.replace(_origin.get(), **fields))


def recorded(session: Session) -> int:
    """How many rows this session has written to the log so far."""
    return int(session.info.get(_COUNT_KEY, 0))


def record_operation(session: Session, operation: str) -> None:
    """A row for an operation that changed nothing the hooks saw (so every mutation leaves one)."""
    actor = tenant.current()
    if actor is None:
        return
    _write(session, [_row(actor, seller_id=actor.seller_id, object_type="Mutation", object_id=operation,
                          action="operation", changes={})])


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_statement)


# -- object changes -------------------------------------------------------------------------------------

def _after_flush(session: Session, flush_context: Any) -> None:
    actor = tenant.current()
    if actor is None:
        return
    rows = []
    for instance, action in _changed(session):
        state = inspect(instance)
        table = state.mapper.local_table.name
        if table in QUIET_TABLES:
            continue
        changes = _diff(state, action)
        if changes is None:
            continue
        rows.append(_row(actor, seller_id=state.dict.get("seller_id") or actor.seller_id,
                         object_type=state.mapper.class_.__name__, object_id=_identity(state), action=action,
                         changes=changes))
    _write(session, rows)


def _changed(session: Session) -> Iterator[tuple[Any, str]]:
    for instance in session.new:
        yield instance, "create"
    for instance in session.dirty:
        yield instance, "update"
    for instance in session.deleted:
        yield instance, "delete"


def _diff(state: Any, action: str) -> dict[str, Any] | None:
    columns = state.mapper.column_attrs
    if action == "create":
        return {"after": {c.key: _value(c.key, state.dict[c.key]) for c in columns if c.key in state.dict}}
    if action == "delete":
        return {"before": {c.key: _value(c.key, state.dict[c.key]) for c in columns if c.key in state.dict}}
    changed: dict[str, list[Any]] = {}
    for column in columns:
        history = state.attrs[column.key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before != after:
            changed[column.key] = [_value(column.key, before), _value(column.key, after)]
    if not changed or set(changed) <= QUIET_COLUMNS:
        return None
    return {"changed": changed}


def _identity(state: Any) -> str:
    values = [state.dict.get(column.key) for column in state.mapper.primary_key]
    return "/".join(str(value) for value in values if value is not None)


# -- bulk statements ------------------------------------------------------------------------------------

def _on_statement(execute_state: ORMExecuteState) -> None:
    if execute_state.is_select or not (execute_state.is_insert or execute_state.is_update
                                       or execute_state.is_delete):
        return
    actor = tenant.current()
    mapper = execute_state.bind_mapper
    if actor is None or mapper is None:
        return
    table = mapper.local_table.name
    if table in QUIET_TABLES:
        return
    compiled = execute_state.statement.compile(dialect=postgresql.dialect())
    parameters = {key: _value(key, value) for key, value in compiled.params.items()}
    if execute_state.is_update and set(_base_names(parameters)) <= QUIET_COLUMNS | {"seller_id", "id"}:
        return
    action = "bulk_insert" if execute_state.is_insert else "bulk_update" if execute_state.is_update else "bulk_delete"
    seller_id = parameters.get("seller_id") if execute_state.is_insert else None
    _write(execute_state.session, [_row(actor, seller_id=_uuid(seller_id) or actor.seller_id,
                                        object_type=mapper.class_.__name__, object_id="", action=action,
                                        changes={"parameters": parameters})])


def _base_names(parameters: dict[str, Any]) -> list[str]:
    """Bind names are column names with a numeric suffix (status_1, seller_id_2)."""
    return [name.rstrip("0123456789").rstrip("_") for name in parameters]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# -- rows ---------------------------------------------------------------------------------------------------

def _row(actor: tenant.TenantContext, *, seller_id: uuid.UUID, object_type: str, object_id: str, action: str,
         changes: dict[str, Any]) -> dict[str, Any]:
    where = _origin.get()
    return {"seller_id": seller_id, "occurred_at": clock.now(), "actor_role": actor.role.value,
            "actor_user_id": actor.user_id,
            "customer_id": actor.customer_id if actor.role is tenant.Role.CUSTOMER else None,
            "source": where.source, "operation": where.operation, "object_type": object_type,
            "object_id": object_id, "action": action, "changes": changes, "request_id": where.request_id,
            "client_address": where.client_address}


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    session.connection().execute(AuditEntry.__table__.insert(), rows)
    session.info[_COUNT_KEY] = recorded(session) + len(rows)


def is_secret(name: str) -> bool:
    base = name.rstrip("0123456789").rstrip("_")
    return base in SECRET_NAMES or any(word in SECRET_WORDS for word in base.split("_"))


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if is_secret(name):
        return REDACTED
    return _plain(value)


def _is_sealed(value: str) -> bool:
    from comptoir.security.secrets import is_sealed  # here: secrets reaches the engine, which installs us

    return is_sealed(value)


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, str):
        if _is_sealed(value):
            return REDACTED
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"[{len(value)} bytes]"
    if isinstance(value, dict):
        return {str(k): REDACTED if is_secret(str(k)) else _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    return _plain(str(value))
