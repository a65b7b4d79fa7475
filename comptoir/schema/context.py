"""The typed per-operation context: one AsyncSession, one transaction, the tenant, the request, its loaders."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from comptoir.tenancy.context import TenantContext

if TYPE_CHECKING:
    from comptoir.schema.dataloaders import Loaders

T = TypeVar("T")
_CONTEXT_KEY = "comptoir.context"


@dataclass
class Context:
    session_factory: Callable[[], AsyncSession]
    token: str | None = None
    client_address: str = ""
    user_agent: str = ""
    client_country: str = ""  # ISO code the ingress states in COMPTOIR_CLIENT_COUNTRY_HEADER, if any
    accept_language: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    tenant: TenantContext | None = None
    session: AsyncSession | None = None
    # An AsyncSession must never be used by two coroutines at once (loaders run concurrently).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    cache: dict[Any, Any] = field(default_factory=dict)
    _loaders: Loaders | None = field(default=None, init=False, repr=False)
    _watched: Session | None = field(default=None, init=False, repr=False)

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run a synchronous service function on this operation's session and transaction."""
        self._attach()
        async with self.lock:
            return await self.session.run_sync(work)  # type: ignore[union-attr]

    @staticmethod
    def of(session: Session) -> Context:
        """The context whose operation runs on `session` (for code that is handed only the session)."""
        return session.info[_CONTEXT_KEY]  # type: ignore[no-any-return]

    @property
    def loaders(self) -> Loaders:
        """The operation's DataLoaders (comptoir.schema.dataloaders), made on first use.

        Tied to the operation's session: a context kept for several operations (a websocket) gets new ones.
        """
        if self._loaders is None or self._watched is not self._sync_session():
            from comptoir.schema.dataloaders import Loaders

            self._attach()
            self._loaders = Loaders(self)
        return self._loaders

    def forget_loaded(self) -> None:
        """Drop what the loaders hold: the next read loads again."""
        self._loaders = None

    def _attach(self) -> None:
        """Once per session: register this context on it, and watch it for writes, which make the loaders
        stale (a flush, or an ORM INSERT/UPDATE/DELETE statement)."""
        sync_session = self._sync_session()
        if self._watched is sync_session:
            return
        self._watched = sync_session
        self._loaders = None
        sync_session.info[_CONTEXT_KEY] = self
        event.listen(sync_session, "after_flush", lambda *_: self.forget_loaded())
        event.listen(sync_session, "do_orm_execute", self._on_execute)

    def _sync_session(self) -> Session:
        assert self.session is not None, "the OperationTransaction extension opens the session"
        return self.session.sync_session

    def _on_execute(self, state: ORMExecuteState) -> None:
        if not state.is_select:
            self.forget_loaded()

    @property
    def user_id(self) -> uuid.UUID:
        assert self.tenant is not None and self.tenant.user_id is not None
        return self.tenant.user_id
