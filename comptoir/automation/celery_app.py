"""The Celery application; tasks take ids only and open their tenant's session themselves."""

from __future__ import annotations

import uuid

from celery import Celery

from comptoir.settings import get_settings

celery = Celery("comptoir")
celery.conf.update(
    broker_url=get_settings().broker_url or "memory://",
    task_acks_late=True,  # a worker that dies mid-task leaves the message to be redelivered
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
)


@celery.task(name="comptoir.deliver_email", autoretry_for=(ConnectionError,), max_retries=5,
             retry_backoff=True)
def deliver_email(seller_id: str, email_id: str) -> str:
    from comptoir.automation.jobs import run_email_delivery

    return run_email_delivery(uuid.UUID(seller_id), uuid.UUID(email_id))
