"""Resolvers of the payment queue (staff only): generate, review, run."""

from __future__ import annotations

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.billing import payment_queue
from comptoir.hosting.usage import local_today
from comptoir.schema.base import mutate
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.payment_queue import (
    PaymentQueueGenerateInput,
    PaymentQueueGeneratePayload,
    PaymentQueueRow,
    PaymentQueueRunInput,
    PaymentQueueRunPayload,
)


async def payment_queue_rows(info: Info, queue_id: strawberry.ID | None = None) -> list[PaymentQueueRow]:
    """The rows of one queue (else of every queue), oldest queue first."""
    seller_id = info.context.tenant.seller_id

    def read(session: Session) -> list[PaymentQueueRow]:
        wanted = decode_id(queue_id, "PaymentQueue", field="queueId") if queue_id else None
        return [PaymentQueueRow.from_model(row)
                for row in payment_queue.rows(session, queue_id=wanted, seller_id=seller_id)]
    return await info.context.run(read)


async def payment_queue_generate(info: Info, input: PaymentQueueGenerateInput) -> PaymentQueueGeneratePayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> PaymentQueueGeneratePayload:
        result = payment_queue.generate(session, seller_id=seller_id, today=local_today(session, seller_id))
        if input.run and result.queue_id is not None:
            payment_queue.run(session, seller_id=seller_id, queue_id=result.queue_id)
        return PaymentQueueGeneratePayload(
            queue_id=strawberry.ID(encode_id("PaymentQueue", result.queue_id)) if result.queue_id else None,
            rows=[PaymentQueueRow.from_model(row) for row in result.rows], skipped_reason=result.skipped_reason)
    return await mutate(info, PaymentQueueGeneratePayload, work, lambda payload: payload)


async def payment_queue_run(info: Info, input: PaymentQueueRunInput) -> PaymentQueueRunPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> PaymentQueueRunPayload:
        queue_id = decode_id(input.queue_id, "PaymentQueue", field="queueId")
        result = payment_queue.run(session, seller_id=seller_id, queue_id=queue_id)
        return PaymentQueueRunPayload(charged=result.charged, skipped_reason=result.skipped_reason, rows=[
            PaymentQueueRow.from_model(row) for row in payment_queue.rows(session, queue_id=queue_id)])
    return await mutate(info, PaymentQueueRunPayload, work, lambda payload: payload)

