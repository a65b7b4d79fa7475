"""The hosting agent: what creates, changes, suspends and deletes webspaces on a server.

Subscription services talk to it only through `HostingAgent`; which driver answers is a setting
(`COMPTOIR_HOSTING_AGENT`). `AgentCapabilities.conflicts` says which plan properties the server
cannot provide, with what it can provide instead: that is what makes a subscription unsynced
(SPEC §4.6). `usage` reports what a webspace uses (SPEC §4.12): disk now, traffic over a period and
the objects the server counts.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from comptoir.errors import DomainError
from comptoir.hosting.plan_values import PhpHandler, ScriptingLanguage, SshShell
from comptoir.hosting.rules import Conflict
from comptoir.settings import Settings, get_settings

E = TypeVar("E", bound=enum.Enum)


class OsFamily(enum.Enum):
    UNIX = "unix"
    WINDOWS = "windows"


class AgentErrorCode(enum.Enum):
    WEBSPACE_NOT_FOUND = "webspace_not_found"
    WEBSPACE_CONFLICT = "webspace_conflict"
    INVALID_SPEC = "invalid_spec"
    SKELETON_REJECTED = "skeleton_rejected"


class AgentError(DomainError):
    """A webspace operation the agent refused; the cause (if any) is chained."""


@dataclass(frozen=True)
class WebspaceSpec:
    """Everything the agent needs to build or update one subscription's webspace."""

    subscription_id: uuid.UUID
    seller_id: uuid.UUID
    domain_name: str
    system_login: str
    values: Mapping[str, Any]  # comptoir.hosting.rules.flatten of the effective plan values
    skeleton: bytes | None = field(default=None, repr=False)  # the seller's archive; None: the stock skeleton
    # Effective PHP directives (SPEC §4.5): the subscription's, and each site's where they differ from it.
    php_directives: Mapping[str, str] = field(default_factory=dict)
    site_php_directives: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The certificate bound to its IP address (SPEC §3: it serves all sites there): PEM certificate and
    # private key; None: no certificate.
    certificate_pem: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class WebspaceUsage:
    """What one webspace uses: disk now, traffic over the period asked, and the objects the server counts
    (by `Resource` value: "mailboxes", "databases"…; what a server does not report is left out)."""

    disk_bytes: int
    traffic_bytes: int
    objects: Mapping[str, int] = field(default_factory=dict)


# Settings a Unix server cannot provide (SPEC §4.4 marks them Windows-only).
WINDOWS_ONLY_SWITCHES = ("hosting.frontpage", "hosting.write_modify_permissions", "performance.dedicated_iis_pool")


@dataclass(frozen=True)
class AgentCapabilities:
    """What a hosting server can provide; `conflicts` compares it with a subscription's plan values."""

    os_family: OsFamily
    hard_disk_quota: bool
    php_handlers: frozenset[PhpHandler]
    php_versions: tuple[str, ...]  # oldest first
    scripting: frozenset[ScriptingLanguage]
    max_disk_space: int | None = None  # MB; None: no ceiling

    def conflicts(self, values: Mapping[str, Any]) -> list[Conflict]:
        """Properties of `values` (flattened plan values) this server cannot provide, each with the value
        it can provide instead, sorted by name. Empty: the subscription can be synced."""
        found = []
        for key, available_for in self._checks().items():
            if key not in values:
                continue
            required = values[key]
            available = available_for(required)
            if available != _normalised(key, required):
                found.append(Conflict(key, required, available))
        return sorted(found, key=lambda conflict: conflict.name)

    def _checks(self) -> dict[str, Callable[[Any], Any]]:
        checks: dict[str, Callable[[Any], Any]] = {
            "hosting.hard_disk_quota": self._hard_disk_quota,
            "php.handler": self._php_handler,
            "php.version": self._php_version,
            "hosting.scripting": lambda required: _enum_set(ScriptingLanguage, required) & self.scripting,
            "limit.disk_space": self._disk_space,
            "hosting.ssh_shell": self._ssh_shell,
        }
        if self.os_family is OsFamily.UNIX:
            checks |= {key: lambda required: False if required else required for key in WINDOWS_ONLY_SWITCHES}
        return checks

    def _hard_disk_quota(self, required: int | None) -> int | None:
        return required if self.hard_disk_quota else None

    def _php_handler(self, required: Any) -> PhpHandler | None:
        handler = _enum(PhpHandler, required)
        if handler is None or handler in self.php_handlers:
            return handler
        if PhpHandler.FASTCGI in self.php_handlers:
            return PhpHandler.FASTCGI
        return min(self.php_handlers, key=lambda h: h.value, default=None)

    def _php_version(self, required: str | None) -> str | None:
        if required is None or required in self.php_versions:
            return required
        return self.php_versions[-1] if self.php_versions else None

    def _disk_space(self, required: int | None) -> int | None:
        if self.max_disk_space is None:
            return required
        return self.max_disk_space if required is None else min(required, self.max_disk_space)

    def _ssh_shell(self, required: Any) -> SshShell | None:
        shell = _enum(SshShell, required)
        if self.os_family is OsFamily.WINDOWS and shell not in (None, SshShell.FORBIDDEN):
            return SshShell.FORBIDDEN
        return shell


def plain_value(value: Any) -> Any:
    """A plan value as JSON: enum members by value, sets as sorted lists (webspace files, conflict reports)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(plain_value(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    return value


def _enum(kind: type[E], value: Any) -> E | None:
    """Values arrive as enum members (rules.flatten) or as their stored strings (JSON)."""
    return None if value is None else kind(value)


def _enum_set(kind: type[E], values: Iterable[Any] | None) -> frozenset[E]:
    return frozenset(kind(v) for v in values or ())


def _normalised(key: str, value: Any) -> Any:
    if key == "php.handler":
        return _enum(PhpHandler, value)
    if key == "hosting.ssh_shell":
        return _enum(SshShell, value)
    if key == "hosting.scripting":
        return _enum_set(ScriptingLanguage, value)
    return value


@runtime_checkable
class HostingAgent(Protocol):
    """A driver of the hosting server. Every operation is idempotent: creating an existing webspace
    (of the same subscription) or deleting a missing one succeeds; suspending a suspended one too."""

    def capabilities(self) -> AgentCapabilities: ...

    def create_webspace(self, spec: WebspaceSpec) -> None: ...

    def update_webspace(self, spec: WebspaceSpec) -> None: ...

    def suspend_webspace(self, subscription_id: uuid.UUID) -> None: ...

    def activate_webspace(self, subscription_id: uuid.UUID) -> None: ...

    def delete_webspace(self, subscription_id: uuid.UUID) -> None: ...

    def usage(self, subscription_id: uuid.UUID, *, since: datetime, until: datetime) -> WebspaceUsage:
        """Disk used now, traffic served in [since, until), counted objects; WEBSPACE_NOT_FOUND without one."""
        ...


DRIVERS = ("local", "limited")


def get_hosting_agent(settings: Settings | None = None, *, root: Path | None = None) -> HostingAgent:
    """The default server's driver, as the settings choose; `root` overrides the webspace root (tests)."""
    settings = settings or get_settings()
    return agent_for_driver(settings.hosting_agent, root=root or settings.webspace_root)


def agent_for_driver(driver: str, *, capabilities: AgentCapabilities | None = None,
                     root: Path | None = None) -> HostingAgent:
    """The driver of one hosting server (comptoir.hosting.servers), with the capabilities it was registered
    with (None: the driver's own)."""
    # Drivers are imported only when chosen: a remote driver's client library is not everyone's dependency.
    from comptoir.provisioning.local_agent import LimitedAgent, LocalDirectoryAgent

    drivers: dict[str, type[LocalDirectoryAgent]] = {"local": LocalDirectoryAgent, "limited": LimitedAgent}
    if driver not in drivers:
        raise ValueError(f"Unknown hosting agent {driver!r}; choose one of {sorted(drivers)}.")
    return drivers[driver](root or get_settings().webspace_root, capabilities=capabilities)
