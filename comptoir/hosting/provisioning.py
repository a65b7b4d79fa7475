"""Webspaces follow their subscriptions on the hosting agent, through the provisioning outbox.

A subscription service calls `request_provisioning` in its own transaction: that writes a
`provisioning_requests` intent, which automation delivers once the transaction commits (its relay
again if that delivery is lost). Delivery does not replay the request's action: it brings the webspace
to the subscription's state *as committed when it runs* (absent → deleted; else created or updated, then
suspended or activated). So a request delivered twice, late or out of order still converges, and
the action column only records why the request was made.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.hosting import plan_values, rules, servers, skeletons
from comptoir.hosting.models import IpPoolEntry, ProvisioningRequest, Subscription
from comptoir.hosting.server_models import SslCertificate
from comptoir.provisioning.hosting_agent import (
    AgentError,
    AgentErrorCode,
    HostingAgent,
    WebspaceSpec,
)
from comptoir.security import secrets

MAX_ATTEMPTS = 8  # then "failed": an operator looks at last_error and requests again
SUSPENDED = "suspended"  # subscriptions.Status.SUSPENDED (that module imports this one)
_IN_TRANSACTION = "comptoir_provisioning_requests"


class Action(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    SUSPEND = "suspend"
    ACTIVATE = "activate"
    DELETE = "delete"


# ---- the request side (inside the caller's transaction) -------------------------------------------

def request_provisioning(session: Session, subscription: Subscription, *,
                         action: Action = Action.UPDATE) -> ProvisioningRequest:
    """Record that the subscription's webspace must follow this change; delivered after commit."""
    return request_for(session, seller_id=subscription.seller_id, subscription_id=subscription.id, action=action)


def request_if_changed(session: Session, subscription: Subscription, *, previous_values: dict[str, Any]) -> None:
    """An update request only when the effective values really changed (an unsynced resync changes none)."""
    if subscription.values != previous_values:
        request_provisioning(session, subscription)


def request_many(session: Session, *, seller_id: uuid.UUID, subscription_ids: Iterable[uuid.UUID],
                 action: Action) -> None:
    """For bulk statements (customer suspension, activation, deletion) that changed rows by id."""
    for subscription_id in subscription_ids:
        request_for(session, seller_id=seller_id, subscription_id=subscription_id, action=action)


def request_for(session: Session, *, seller_id: uuid.UUID, subscription_id: uuid.UUID,
                action: Action) -> ProvisioningRequest:
    requested = _requested_in_this_transaction(session)
    earlier = requested.get(subscription_id)
    # One request per subscription and transaction is enough, since delivery reads the committed state.
    # `in session`: a request added inside a savepoint that was rolled back has been expunged.
    if earlier is not None and earlier in session:
        earlier.action = _merged(Action(earlier.action), action).value
        return earlier
    request = ProvisioningRequest(seller_id=seller_id, subscription_id=subscription_id, action=action.value)
    session.add(request)
    session.flush()
    requested[subscription_id] = request
    return request


def _requested_in_this_transaction(session: Session) -> dict[uuid.UUID, ProvisioningRequest]:
    # Keyed by the outermost transaction: a session reused for another transaction starts afresh.
    root = session.get_transaction()
    holder = session.info.get(_IN_TRANSACTION)
    if holder is None or holder[0] is not root:
        holder = session.info[_IN_TRANSACTION] = (root, {})
    requests: dict[uuid.UUID, ProvisioningRequest] = holder[1]
    return requests


def _merged(earlier: Action, later: Action) -> Action:
    """The action that describes both: a creation stays one until deleted; otherwise the later wins."""
    if later is Action.DELETE or earlier is not Action.CREATE:
        return later
    return earlier


# ---- the delivery side (the intent's handler, in the seller's system context) --------------------

def deliver(*, session: Session, request: ProvisioningRequest, agent: HostingAgent | None = None) -> None:
    """Bring the webspace in line with the subscription (the request is locked and pending); whatever
    the agent raises fails this attempt, and automation retries the request later."""
    # Deliveries of one subscription's requests take turns, and each reads the subscription once its
    # turn has come: the last one to run always acts on the latest committed state.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(str(request.subscription_id), 0))))
    _converge(session, request, agent)


def _converge(session: Session, request: ProvisioningRequest, given: HostingAgent | None) -> None:
    subscription = session.scalars(select(Subscription).where(
        Subscription.id == request.subscription_id)).one_or_none()
    # The subscription's own server's driver; a deleted one's webspace is removed by the default driver.
    agent = given or servers.agent_for(servers.server_of(session, subscription) if subscription else None)
    if subscription is None or plan_values.from_json(subscription.values).hosting.hosting_enabled is False:
        agent.delete_webspace(request.subscription_id)  # deleted, or mail-only: no webspace
        return
    spec = webspace_spec(session, subscription)
    if request.action == Action.CREATE.value:
        agent.create_webspace(spec)
    else:
        _update_or_create(agent, spec)
    if subscription.status == SUSPENDED:
        agent.suspend_webspace(subscription.id)
    else:
        agent.activate_webspace(subscription.id)


def _update_or_create(agent: HostingAgent, spec: WebspaceSpec) -> None:
    try:
        agent.update_webspace(spec)
    except AgentError as error:
        if error.code is not AgentErrorCode.WEBSPACE_NOT_FOUND:
            raise
        agent.create_webspace(spec)  # its creation never reached the agent (e.g. created before this wiring)


def webspace_spec(session: Session, subscription: Subscription) -> WebspaceSpec:
    php, site_php = php_directives(session, subscription)
    return WebspaceSpec(
        subscription_id=subscription.id, seller_id=subscription.seller_id, domain_name=subscription.domain_name,
        system_login=subscription.system_login,
        values=rules.flatten(plan_values.from_json(subscription.values)),
        skeleton=skeletons.archive_for(session, seller_id=subscription.seller_id),
        php_directives=php, site_php_directives=site_php,
        certificate_pem=certificate_of(session, subscription),
    )


def certificate_of(session: Session, subscription: Subscription) -> str | None:
    """PEM certificate and key of the certificate bound to the subscription's IP address, if any."""
    row = session.execute(select(SslCertificate.certificate_pem, SslCertificate.private_key_pem).join(
        IpPoolEntry, (IpPoolEntry.seller_id == SslCertificate.seller_id)
        & (IpPoolEntry.certificate_id == SslCertificate.id)).where(
        IpPoolEntry.id == subscription.ip_pool_id)).first()
    return None if row is None else f"{row.certificate_pem.strip()}\n{secrets.unseal(row.private_key_pem).strip()}\n"


def php_directives(session: Session, subscription: Subscription) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The effective PHP directives of the subscription, and of each site where they differ (SPEC §4.5)."""
    # inspection reads subscriptions, which request provisioning: imported when delivering, not at import.
    from comptoir.hosting import inspection

    own = {e.directive: e.value for e in inspection.effective_php(session, subscription)}
    by_site = {}
    for site in inspection.sites_of(session, subscription.id):
        found = {e.directive: e.value for e in inspection.effective_php(session, subscription, site_id=site.id)}
        if found != own:
            by_site[site.domain_name] = found
    return own, by_site


