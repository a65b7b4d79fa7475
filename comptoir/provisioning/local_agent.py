"""The embedded hosting agent: each webspace is a real folder on this machine (development, tests, demos).

Layout under the root:
  <seller id>/<domain>/                  the webspace: httpdocs/, cgi-bin/, anon_ftp/, error_docs/
  <seller id>/<domain>/logs/access_log*  its web server's access logs (combined log format, see access_log)
  <seller id>/.agent/<domain>.json       its subscription and plan values (rewritten on update)
  <seller id>/.agent/<domain>.suspended  present while it is suspended
  <seller id>/.agent/<domain>.usage.json usage told to the agent (sandbox), reported instead of measured
  <seller id>/.agent/<domain>.php.ini    its effective PHP directives, a [HOST=site] section per differing site
  <seller id>/.agent/<domain>.pem        the certificate and key bound to its IP address (mode 0600), if any
  .subscriptions/<subscription id>       "<seller id>/<domain>": where a subscription's webspace is
What the agent records lives outside the webspace, where the webspace's owner (FTP, SSH) cannot
reach it: he cannot lift his own suspension.
Usage is measured: disk as the blocks the webspace's files occupy (what `du` counts), traffic as the
bytes its access logs record for the period. This agent runs no mail or database server, so it counts
no objects; a sandbox can tell it a usage to report instead (`tell_usage`). A webspace is built in a staging folder beside its final
place and renamed into it, so it is either complete or absent; deletion renames it away first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from comptoir.hosting import skeleton_archive
from comptoir.hosting.plan_values import PhpHandler, ScriptingLanguage
from comptoir.hosting.skeleton_archive import ArchiveLimits, SkeletonError
from comptoir.provisioning import access_log, stock_skeleton
from comptoir.provisioning.hosting_agent import (
    AgentCapabilities,
    AgentError,
    AgentErrorCode,
    OsFamily,
    WebspaceSpec,
    WebspaceUsage,
    plain_value,
)

AGENT_FOLDER = ".agent"
INDEX = ".subscriptions"
# Lower-case LDH labels (IDN in punycode): the name becomes a folder name, so nothing else gets through.
DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")

LOCAL_CAPABILITIES = AgentCapabilities(
    os_family=OsFamily.UNIX,
    hard_disk_quota=True,
    php_handlers=frozenset({PhpHandler.APACHE_MODULE, PhpHandler.FASTCGI, PhpHandler.CGI}),
    php_versions=("7.4", "8.1", "8.2", "8.3"),
    scripting=frozenset({ScriptingLanguage.PHP, ScriptingLanguage.CGI, ScriptingLanguage.PERL,
                         ScriptingLanguage.PYTHON, ScriptingLanguage.FASTCGI, ScriptingLanguage.SSI}),
)

# A smaller server: no hard quotas, one PHP, a 1 GB disk ceiling (what makes subscriptions unsynced).
LIMITED_CAPABILITIES = AgentCapabilities(
    os_family=OsFamily.UNIX,
    hard_disk_quota=False,
    php_handlers=frozenset({PhpHandler.FASTCGI}),
    php_versions=("8.1",),
    scripting=frozenset({ScriptingLanguage.PHP, ScriptingLanguage.CGI}),
    max_disk_space=1024,
)


class _Place:
    """Where one webspace and the agent's records of it live."""

    def __init__(self, root: Path, seller_id: uuid.UUID, domain: str) -> None:
        self.relative = f"{seller_id}/{domain}"
        self.home = root / str(seller_id) / domain
        records = root / str(seller_id) / AGENT_FOLDER
        self.spec_file = records / f"{domain}.json"
        self.suspended_marker = records / f"{domain}.suspended"
        self.told_usage = records / f"{domain}.usage.json"
        self.php_ini = records / f"{domain}.php.ini"
        self.certificate = records / f"{domain}.pem"

    def owner(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(json.loads(self.spec_file.read_text())["subscriptionId"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


class LocalDirectoryAgent:
    """A `HostingAgent` that keeps webspaces as folders under `root`."""

    default_capabilities = LOCAL_CAPABILITIES

    def __init__(self, root: Path, *, capabilities: AgentCapabilities | None = None,
                 limits: ArchiveLimits | None = None) -> None:
        self.root = Path(root)
        self._capabilities = capabilities or self.default_capabilities
        self.limits = limits  # None: the skeleton limits of the settings

    def capabilities(self) -> AgentCapabilities:
        return self._capabilities

    # ---- operations ----------------------------------------------------------------------------

    def create_webspace(self, spec: WebspaceSpec) -> None:
        place = self._place(spec)
        subscription_id = _uuid(spec.subscription_id)
        owner = place.owner()
        if owner not in (None, subscription_id) or (owner is None and os.path.lexists(place.home)):
            raise AgentError(AgentErrorCode.WEBSPACE_CONFLICT,
                             f"Another subscription's webspace already serves {spec.domain_name}.", field="domainName")
        # The record comes first: a crash before the rename leaves a claim the retried creation completes.
        _write_spec(place, spec)
        if not place.home.is_dir():
            self._build(place, spec)
        _write_atomically(self._index(subscription_id), place.relative + "\n")

    def update_webspace(self, spec: WebspaceSpec) -> None:
        place = self._existing(spec.subscription_id)
        if place.relative != self._place(spec).relative:
            raise AgentError(AgentErrorCode.INVALID_SPEC, "A webspace's seller and domain never change.",
                             field="domainName")
        _write_spec(place, spec)

    def suspend_webspace(self, subscription_id: uuid.UUID) -> None:
        self._existing(subscription_id).suspended_marker.write_text("suspended\n")

    def activate_webspace(self, subscription_id: uuid.UUID) -> None:
        self._existing(subscription_id).suspended_marker.unlink(missing_ok=True)

    def delete_webspace(self, subscription_id: uuid.UUID) -> None:
        place = self._located(subscription_id)
        if place is not None:
            if place.home.is_dir():
                doomed = place.home.parent / f".deleting-{uuid.uuid4().hex}"
                os.rename(place.home, doomed)
                shutil.rmtree(doomed)
            place.suspended_marker.unlink(missing_ok=True)
            place.told_usage.unlink(missing_ok=True)
            place.spec_file.unlink(missing_ok=True)
            place.php_ini.unlink(missing_ok=True)
            place.certificate.unlink(missing_ok=True)
        self._index(subscription_id).unlink(missing_ok=True)

    def usage(self, subscription_id: uuid.UUID, *, since: datetime, until: datetime) -> WebspaceUsage:
        place = self._existing(subscription_id)
        told = _told_usage(place)
        if told is not None:
            return told
        traffic = access_log.served_bytes(access_log.log_lines(place.home / "logs"), since=since, until=until)
        return WebspaceUsage(disk_bytes=_disk_bytes(place.home), traffic_bytes=traffic)

    # ---- inspection (sandbox only) -------------------------------------------------------------

    def webspace_path(self, subscription_id: uuid.UUID) -> Path | None:
        """The subscription's webspace folder; None when it has none."""
        place = self._located(subscription_id)
        return place.home if place is not None and place.home.is_dir() else None

    def is_suspended(self, subscription_id: uuid.UUID) -> bool:
        return self._existing(subscription_id).suspended_marker.exists()

    def read_spec(self, subscription_id: uuid.UUID) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._existing(subscription_id).spec_file.read_text())
        return data

    def tell_usage(self, subscription_id: uuid.UUID, usage: WebspaceUsage | None) -> None:
        """Report `usage` for this webspace from now on instead of measuring it; None: measure again."""
        place = self._existing(subscription_id)
        if usage is None:
            place.told_usage.unlink(missing_ok=True)
            return
        _write_atomically(place.told_usage, json.dumps({
            "diskBytes": usage.disk_bytes, "trafficBytes": usage.traffic_bytes, "objects": dict(usage.objects)}))

    # ---- internals -----------------------------------------------------------------------------

    def _place(self, spec: WebspaceSpec) -> _Place:
        if not DOMAIN.match(spec.domain_name):
            raise AgentError(AgentErrorCode.INVALID_SPEC,
                             f"{spec.domain_name!r} is not a lower-case domain name.", field="domainName")
        return _Place(self.root, _uuid(spec.seller_id), spec.domain_name)

    def _index(self, subscription_id: uuid.UUID) -> Path:
        return self.root / INDEX / str(_uuid(subscription_id))

    def _located(self, subscription_id: uuid.UUID) -> _Place | None:
        """The subscription's place when the index and the agent's record agree on it."""
        try:
            seller, _, domain = self._index(subscription_id).read_text().strip().partition("/")
            place = _Place(self.root, uuid.UUID(seller), domain)
        except (FileNotFoundError, ValueError):
            return None
        if not DOMAIN.match(domain) or place.owner() != _uuid(subscription_id):
            return None
        return place

    def _existing(self, subscription_id: uuid.UUID) -> _Place:
        place = self._located(subscription_id)
        if place is None or not place.home.is_dir():
            raise AgentError(AgentErrorCode.WEBSPACE_NOT_FOUND, f"Subscription {subscription_id} has no webspace.")
        return place

    def _build(self, place: _Place, spec: WebspaceSpec) -> None:
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=place.home.parent))
        try:
            if spec.skeleton is None:
                stock_skeleton.write(staging)
            else:
                skeleton_archive.extract(spec.skeleton, staging, self.limits)
            for folder in skeleton_archive.ROOT_FOLDERS:
                (staging / folder).mkdir(mode=0o755, exist_ok=True)
            try:
                os.rename(staging, place.home)
            except OSError:
                if not place.home.is_dir():
                    raise  # else a concurrent retry of this same creation built it first
        except SkeletonError as error:
            place.spec_file.unlink(missing_ok=True)
            place.php_ini.unlink(missing_ok=True)
            raise AgentError(AgentErrorCode.SKELETON_REJECTED,
                             f"The seller's skeleton cannot be used: {error.message}") from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)


class LimitedAgent(LocalDirectoryAgent):
    """The local agent on a smaller server (see LIMITED_CAPABILITIES)."""

    default_capabilities = LIMITED_CAPABILITIES


def _uuid(value: uuid.UUID) -> uuid.UUID:
    """Ids become path components: only a canonical UUID may."""
    return uuid.UUID(str(value))


def _disk_bytes(home: Path) -> int:
    """The blocks the webspace's files and folders occupy (symbolic links are not followed)."""
    total = 0
    for folder, names, files in os.walk(home):
        for name in (*names, *files):
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except FileNotFoundError:
                continue  # removed while we walked
    return total


def _told_usage(place: _Place) -> WebspaceUsage | None:
    try:
        told = json.loads(place.told_usage.read_text())
    except FileNotFoundError:
        return None
    return WebspaceUsage(disk_bytes=int(told["diskBytes"]), traffic_bytes=int(told["trafficBytes"]),
                         objects={str(k): int(v) for k, v in told["objects"].items()})


def _write_spec(place: _Place, spec: WebspaceSpec) -> None:
    document = {
        "subscriptionId": str(spec.subscription_id),
        "sellerId": str(spec.seller_id),
        "domainName": spec.domain_name,
        "systemLogin": spec.system_login,
        "skeleton": "stock" if spec.skeleton is None else hashlib.sha256(spec.skeleton).hexdigest(),
        "values": {key: plain_value(value) for key, value in sorted(spec.values.items())},
        "phpDirectives": dict(sorted(spec.php_directives.items())),
        "sitePhpDirectives": {site: dict(sorted(found.items())) for site, found in sorted(spec.site_php_directives.items())},
    }
    _write_atomically(place.spec_file, json.dumps(document, indent=2, sort_keys=True) + "\n")
    _write_atomically(place.php_ini, php_ini(spec.php_directives, spec.site_php_directives))
    _write_certificate(place, spec.certificate_pem)


def _write_certificate(place: _Place, pem: str | None) -> None:
    """The certificate (and key) the web server presents for the webspace's sites; readable by no one else."""
    if pem is None:
        place.certificate.unlink(missing_ok=True)
        return
    place.certificate.parent.mkdir(parents=True, exist_ok=True)
    temporary = place.certificate.with_name(f".{place.certificate.name}.{uuid.uuid4().hex}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as output:
        output.write(pem)
    os.replace(temporary, place.certificate)


def php_ini(directives: Mapping[str, str], by_site: Mapping[str, Mapping[str, str]]) -> str:
    """The webspace's PHP settings as an ini file: the subscription's, then a [HOST=] section per site
    that differs (PHP's own per-host sections)."""
    lines = [f"{name} = {_ini_value(value)}" for name, value in sorted(directives.items())]
    for site, found in sorted(by_site.items()):
        lines += ["", f"[HOST={site}]", *(f"{name} = {_ini_value(value)}" for name, value in sorted(found.items()))]
    return "\n".join(lines) + "\n"


def _ini_value(value: str) -> str:
    # Values were checked for line breaks and NUL (comptoir.hosting.php_settings); quote the rest.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(text)
    os.replace(temporary, path)
