"""Who wants to know when a domain of an order is ready (registered or transferred): the
order-to-provision flow registers a callback that creates the hosting subscription on it.

Callbacks run inside the transaction that records the domain, so what they write commits with it (or
not at all); one that raises fails this attempt of the domain step, which is then retried.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from comptoir.domains.models import Domain, DomainOperation

DomainReady = Callable[[Session, Domain, DomainOperation], None]
_callbacks: list[DomainReady] = []


def on_domain_ready(callback: DomainReady) -> DomainReady:
    """Register `callback` (usable as a decorator); registering the same one twice keeps one."""
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def remove(callback: DomainReady) -> None:
    if callback in _callbacks:
        _callbacks.remove(callback)


def domain_ready(session: Session, domain: Domain, operation: DomainOperation) -> None:
    for callback in list(_callbacks):
        callback(session, domain, operation)
