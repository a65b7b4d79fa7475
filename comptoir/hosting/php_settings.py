"""PHP directives set at the subscription or at one of its sites (SPEC §4.5): "Default" removes the
override; a customer sets a group only with its permission (common PHP / performance settings)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError
from comptoir.hosting import rules
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.inspection import SERVER_PHP_DEFAULTS, SUBSCRIPTION_PHP_KEY
from comptoir.hosting.models import Site, Subscription
from comptoir.hosting.provisioning import request_provisioning
from comptoir.hosting.subscriptions import get_or_raise, permissions_of
from comptoir.hosting.vocabulary import SubscriptionPermission as P

MAX_VALUE_LENGTH = 255


def _check(directives: Mapping[str, str], granted: frozenset[P] | None) -> None:
    for name, value in directives.items():
        if name not in SERVER_PHP_DEFAULTS:
            raise DomainError(E.INVALID, f"Unknown PHP directive {name[:64]!r}.", field="directives")
        if len(value) > MAX_VALUE_LENGTH or any(ch in value for ch in "\x00\r\n"):
            raise DomainError(E.INVALID, f"Invalid value for {name}.", field="directives")
        if granted is not None:
            needed = (P.PERFORMANCE_SETTINGS_MANAGEMENT if name in rules.PERFORMANCE_DIRECTIVES
                      else P.COMMON_PHP_SETTINGS_MANAGEMENT)
            if needed not in granted:
                raise DomainError(E.NOT_PERMITTED, f"Changing {name} needs {needed.name}.", field="directives")


def _merged(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    merged = dict(current) | dict(changes)
    return {name: value for name, value in merged.items() if value != rules.DEFAULT}


def set_directives(*, session: Session, subscription_id: uuid.UUID, directives: Mapping[str, str],
                   site_id: uuid.UUID | None = None, as_customer: bool = False) -> Subscription:
    """Override directives at the subscription (or one of its sites); the customer needs the permission."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    _check(directives, permissions_of(subscription) if as_customer else None)
    if site_id is None:
        own = subscription.customization.get(SUBSCRIPTION_PHP_KEY, {})
        subscription.customization = dict(subscription.customization) | {
            SUBSCRIPTION_PHP_KEY: _merged(own, directives)}
    else:
        site = session.get(Site, site_id)
        if site is None or site.subscription_id != subscription.id:
            raise DomainError(E.NOT_FOUND, "No such site in this subscription.", field="siteId")
        site.php_directives = _merged(site.php_directives, directives)
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription)  # the webspace's php.ini follows (SPEC §4.5)
    return subscription
