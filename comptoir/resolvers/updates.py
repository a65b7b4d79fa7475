"""Subscription resolvers: streams of changes, read by polling in short transactions of their own.

A subscription may last minutes: holding one transaction (and a pooled connection) that long would
starve the pool, so each poll opens, authenticates its token again (a revoked session ends the stream)
and closes its own transaction.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, Callable
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import CommonErrorCode, DomainError
from comptoir.hosting.models import BackgroundJob as JobModel
from comptoir.schema.context import Context
from comptoir.schema.hosting import BackgroundJob
from comptoir.schema.ids import decode_id
from comptoir.settings import get_settings
from comptoir.tenancy import auth
from comptoir.tenancy import context as tenant

T = TypeVar("T")
FINISHED_JOB_STATUSES = frozenset({"done", "failed"})


async def read_as_token_holder(context: Context, work: Callable[[Session, uuid.UUID], T]) -> T:
    """`work(session, seller_id)` in a short read-only transaction of its own, as the token's holder now."""
    async with context.session_factory() as session:
        with tenant.acting_as(None):  # authenticate() states the tenant for this transaction only
            def run(s: Session) -> T:
                holder = auth.authenticate(s, token=context.token or "")
                if holder is None:
                    raise GraphQLError("Your session ended: log in again.", extensions={"code": "UNAUTHENTICATED"})
                return work(s, holder.seller_id)

            try:
                return await session.run_sync(run)
            finally:
                await session.rollback()


def _own_job(job_id: uuid.UUID) -> Callable[[Session, uuid.UUID], BackgroundJob | None]:
    def read(session: Session, seller_id: uuid.UUID) -> BackgroundJob | None:
        # The seller's own jobs only: a provider's context could read its resellers' rows.
        job = session.scalars(select(JobModel).where(JobModel.id == job_id, JobModel.seller_id == seller_id)).first()
        return BackgroundJob.from_model(job) if job else None

    return read


async def background_job_updated(info: Info, id: strawberry.ID) -> AsyncGenerator[BackgroundJob, None]:
    """The job now, then each time its progress or status changes, until it is done or failed."""
    job_id = decode_id(id, "BackgroundJob")
    interval = get_settings().subscription_poll_interval_seconds
    last: BackgroundJob | None = None
    while True:
        job = await read_as_token_holder(info.context, _own_job(job_id))
        if job is None:
            raise DomainError(CommonErrorCode.NOT_FOUND, "No BackgroundJob with this id.", field="id")
        if job != last:
            yield job
            last = job
        if job.status in FINISHED_JOB_STATUSES:
            return
        await asyncio.sleep(interval)
