"""The typed per-operation context: one AsyncSession, one transaction, the tenant, the request."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from comptoir.tenancy.context import TenantContext

T = TypeVar("T")


@dataclass
class Context:
    session_factory: Callable[[], AsyncSession]
    token: str | None = None
    client_address: str = ""
    user_agent: str = ""
    client_country: str = ""  # ISO code the ingress states in COMPTOIR_CLIENT_COUNTRY_HEADER, if any
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    tenant: TenantContext | None = None
    session: AsyncSession | None = None
    # An AsyncSession must never be used by two coroutines at once (loaders run concurrently).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    cache: dict[Any, Any] = field(default_factory=dict)

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run a synchronous service function on this operation's session and transaction."""
        assert self.session is not None, "the OperationTransaction extension opens the session"
        async with self.lock:
            return await self.session.run_sync(work)

    @property
    def user_id(self) -> uuid.UUID:
        assert self.tenant is not None and self.tenant.user_id is not None
        return self.tenant.user_id
