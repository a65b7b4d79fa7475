"""Dispatch background work: to Celery when a broker is configured, else on a local thread."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from comptoir.settings import get_settings

log = logging.getLogger(__name__)


def dispatch_email_delivery(seller_id: uuid.UUID, email_id: uuid.UUID) -> None:
    if get_settings().broker_url:
        from comptoir.automation.celery_app import deliver_email

        deliver_email.delay(str(seller_id), str(email_id))
    else:
        threading.Thread(target=run_email_delivery, args=(seller_id, email_id), daemon=True).start()


def run_email_delivery(seller_id: uuid.UUID, email_id: uuid.UUID) -> str:
    from comptoir.database.engine import session_scope
    from comptoir.messaging.outbox import deliver
    from comptoir.tenancy.context import Role, TenantContext

    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        email = deliver(session=session, email_id=email_id)
        status = email.status if email else "missing"
    log.info("email %s: %s", email_id, status)
    return status


def dispatch(task_name: str, local: Callable[[uuid.UUID, uuid.UUID], object], seller_id: uuid.UUID,
             object_id: uuid.UUID) -> None:
    """Send a (seller id, object id) task to Celery by name when a broker is configured, else run
    `local` on a thread (embedded mode)."""
    if get_settings().broker_url:
        from comptoir.automation.celery_app import celery

        celery.send_task(task_name, args=[str(seller_id), str(object_id)])
    else:
        threading.Thread(target=local, args=(seller_id, object_id), daemon=True).start()
