"""The Celery application; tasks take ids only and open their tenant's session themselves."""

from __future__ import annotations

import uuid

from celery import Celery, Task
from sqlalchemy.exc import OperationalError

from comptoir.hosting.provisioning import MAX_ATTEMPTS as PROVISIONING_ATTEMPTS
from comptoir.messaging.outbox import MAX_ATTEMPTS
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


@celery.task(bind=True, name="comptoir.deliver_email", autoretry_for=(ConnectionError, OperationalError),
             max_retries=MAX_ATTEMPTS, retry_backoff=True)
def deliver_email(self: Task, seller_id: str, email_id: str) -> str:
    from comptoir.automation.jobs import run_email_delivery

    status = run_email_delivery(uuid.UUID(seller_id), uuid.UUID(email_id))
    if status == "pending":  # a transient SMTP failure, recorded on the row: try again later
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600))
    return status


@celery.task(name="comptoir.plan_sync", acks_late=True)
def plan_sync(seller_id: str, job_id: str) -> str:
    from comptoir.hosting.sync import run_plan_sync_job

    return run_plan_sync_job(uuid.UUID(seller_id), uuid.UUID(job_id))


@celery.task(bind=True, name="comptoir.provision", acks_late=True, autoretry_for=(ConnectionError, OperationalError),
             max_retries=PROVISIONING_ATTEMPTS, retry_backoff=True)
def provision(self: Task, seller_id: str, request_id: str) -> str:
    from comptoir.hosting.provisioning import run_provisioning

    status = run_provisioning(uuid.UUID(seller_id), uuid.UUID(request_id))
    if status == "pending":  # the agent failed, recorded on the request: try again later
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    return status
