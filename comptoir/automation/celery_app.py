"""The Celery application: one task performs any intent by (kind, seller id, intent id); beat ticks the
scheduler every minute. Tasks take ids only and open their tenant's session themselves."""

from __future__ import annotations

import uuid

from celery import Celery

from comptoir.automation import events, intents, registry  # noqa: F401 -- registry wires the kinds
from comptoir.observability import metrics
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
    worker_hijack_root_logger=False,  # our JSON/text handler (comptoir.observability.logs) stays
    beat_schedule={"tick": {"task": "comptoir.tick", "schedule": 60.0}},
)
metrics.install_celery_signals()
intents.install()  # intents written by tasks (an event suspending subscriptions…) are published too


@celery.task(name=intents.TASK_NAME)
def perform_intent(kind: str, seller_id: str, intent_id: str) -> str:
    # A failed attempt is recorded on the row with its next attempt's time: the relay retries it.
    return intents.perform(kind, uuid.UUID(seller_id), uuid.UUID(intent_id))


@celery.task(name="comptoir.tick")
def tick() -> int:
    """Run the scheduled events that are due (the intent relay among them)."""
    return len(events.tick())
