"""An EPP registrar driver (RFC 5730 protocol, RFC 5731 domain mapping, RFC 5734 transport): a skeleton.

It speaks EPP XML over a pluggable `EppTransport` (one frame in, one frame out). `TlsTransport` is the
RFC 5734 one (TLS, 4-byte length-prefixed frames, port 700); tests plug a local fake server. Contacts
(RFC 5733) and hosts (RFC 5732) are not managed here: registrations use the account's registrant handle
and name servers as host names (hostObj). Result codes 1000/1001 succeed (1001: pending); 2400 and the
2500 series (server failure, session ended) may be retried; every other 2xxx is a refusal.
"""

from __future__ import annotations

import socket
import ssl
import struct
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from typing import Protocol

from pydantic import BaseModel, Field, SecretStr

from comptoir.provisioning.registrar import (
    Availability,
    Contact,
    DomainInfo,
    DriverSpec,
    RegistrarCapabilities,
    RegistrarError,
    RegistrarErrorCode,
    RegistrarUnreachable,
    RemoteStatus,
    register_driver,
)

EPP = "urn:ietf:params:xml:ns:epp-1.0"
DOMAIN = "urn:ietf:params:xml:ns:domain-1.0"
NS = {"epp": EPP, "domain": DOMAIN}
LOCK = "clientTransferProhibited"
RETRYABLE = {2400, 2500, 2501, 2502}
REFUSALS = {2302: RegistrarErrorCode.DOMAIN_UNAVAILABLE, 2303: RegistrarErrorCode.DOMAIN_UNKNOWN,
            2202: RegistrarErrorCode.WRONG_AUTH_CODE, 2201: RegistrarErrorCode.WRONG_AUTH_CODE}
MAX_FRAME = 1 << 20
ET.register_namespace("", EPP)
ET.register_namespace("domain", DOMAIN)


class EppTransport(Protocol):
    def exchange(self, frame: bytes) -> bytes: ...


class EppSettings(BaseModel):
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(default=700, ge=1, le=65535)
    client_id: str = Field(min_length=3, max_length=16)
    password: SecretStr = Field(max_length=200)
    registrant: str = Field(min_length=3, max_length=16, description="The registrant contact handle.")
    tlds: list[str] = Field(min_length=1, max_length=500)
    transport: str = "tls"


_transports: dict[str, Callable[[EppSettings], EppTransport]] = {}


def register_transport(name: str, factory: Callable[[EppSettings], EppTransport]) -> None:
    _transports[name] = factory


class TlsTransport:
    """RFC 5734: EPP over TLS, each frame its total length (4 bytes, network order) then the XML."""

    def __init__(self, settings: EppSettings, timeout: float = 30.0) -> None:
        self.settings, self.timeout = settings, timeout
        self._socket: ssl.SSLSocket | None = None

    def exchange(self, frame: bytes) -> bytes:
        try:
            if self._socket is None:
                raw = socket.create_connection((self.settings.host, self.settings.port), timeout=self.timeout)
                self._socket = ssl.create_default_context().wrap_socket(raw, server_hostname=self.settings.host)
                self._read()  # the server's greeting
            self._socket.sendall(struct.pack(">I", len(frame) + 4) + frame)
            return self._read()
        except OSError as error:
            self._socket = None
            raise RegistrarUnreachable(f"EPP {self.settings.host}: {error}") from error

    def _read(self) -> bytes:
        assert self._socket is not None
        length = struct.unpack(">I", self._exactly(4))[0] - 4
        if not 0 < length <= MAX_FRAME:
            raise RegistrarUnreachable("EPP: bad frame length")
        return self._exactly(length)

    def _exactly(self, size: int) -> bytes:
        assert self._socket is not None
        data = b""
        while len(data) < size:
            chunk = self._socket.recv(size - len(data))
            if not chunk:
                raise RegistrarUnreachable("EPP: connection closed")
            data += chunk
        return data


register_transport("tls", TlsTransport)


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def command(body: ET.Element, transaction_id: str) -> bytes:
    """An <epp><command>…<clTRID/></command></epp> frame around one command element."""
    epp = ET.Element(_q("epp", "epp"))
    wrapper = ET.SubElement(epp, _q("epp", "command"))
    wrapper.append(body)
    ET.SubElement(wrapper, _q("epp", "clTRID")).text = transaction_id
    return ET.tostring(epp, encoding="utf-8", xml_declaration=True)


def _domain_command(verb: str, name: str, **attributes: str) -> tuple[ET.Element, ET.Element]:
    outer = ET.Element(_q("epp", verb), attributes)
    inner = ET.SubElement(outer, _q("domain", verb))
    ET.SubElement(inner, _q("domain", "name")).text = name
    return outer, inner


def _period(parent: ET.Element, years: int) -> None:
    ET.SubElement(parent, _q("domain", "period"), {"unit": "y"}).text = str(years)


def _auth(parent: ET.Element, code: str) -> None:
    ET.SubElement(ET.SubElement(parent, _q("domain", "authInfo")), _q("domain", "pw")).text = code


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


class EppRegistrar:
    def __init__(self, settings: EppSettings, test_mode: bool) -> None:
        if settings.transport not in _transports:
            raise RegistrarUnreachable(f"EPP: no transport {settings.transport!r}")
        self.settings = settings
        self.transport = _transports[settings.transport](settings)
        self.capabilities = RegistrarCapabilities(tlds=frozenset(settings.tlds), transfer=True, privacy=False)
        self._logged_in = False

    # ---- the protocol ---------------------------------------------------------------------------

    def _send(self, body: ET.Element) -> tuple[int, ET.Element]:
        if not self._logged_in and body.tag != _q("epp", "login"):
            self._login()
        frame = self.transport.exchange(command(body, uuid.uuid4().hex[:16]))
        if b"<!DOCTYPE" in frame or b"<!ENTITY" in frame:
            raise RegistrarUnreachable("EPP: a response with a DTD is refused")
        try:
            response = ET.fromstring(frame).find("epp:response", NS)
        except ET.ParseError as error:
            raise RegistrarUnreachable(f"EPP: unreadable response: {error}") from error
        result = response.find("epp:result", NS) if response is not None else None
        if response is None or result is None:
            raise RegistrarUnreachable("EPP: no result in the response")
        code, message = int(result.get("code", "2400")), result.findtext("epp:msg", "", NS)
        if code in RETRYABLE:
            self._logged_in = False
            raise RegistrarUnreachable(f"EPP {code}: {message}")
        if code >= 2000:
            raise RegistrarError(REFUSALS.get(code, RegistrarErrorCode.REGISTRAR_REFUSED), f"EPP {code}: {message}")
        return code, response

    def _login(self) -> None:
        login = ET.Element(_q("epp", "login"))
        ET.SubElement(login, _q("epp", "clID")).text = self.settings.client_id
        ET.SubElement(login, _q("epp", "pw")).text = self.settings.password.get_secret_value()
        options = ET.SubElement(login, _q("epp", "options"))
        ET.SubElement(options, _q("epp", "version")).text = "1.0"
        ET.SubElement(options, _q("epp", "lang")).text = "en"
        ET.SubElement(ET.SubElement(login, _q("epp", "svcs")), _q("epp", "objURI")).text = DOMAIN
        self._send(login)
        self._logged_in = True

    # ---- Registrar --------------------------------------------------------------------------------

    def check(self, name: str) -> Availability:
        _, response = self._send(_domain_command("check", name)[0])
        found = response.find(".//domain:cd/domain:name", NS)
        available = found is not None and found.get("avail") in ("1", "true")
        return Availability(name, available, response.findtext(".//domain:cd/domain:reason", "", NS))

    def register(self, name: str, *, years: int, contact: Contact, name_servers: tuple[str, ...] = ()
                 ) -> DomainInfo:
        outer, inner = _domain_command("create", name)
        _period(inner, years)
        if name_servers:
            hosts = ET.SubElement(inner, _q("domain", "ns"))
            for server in name_servers:
                ET.SubElement(hosts, _q("domain", "hostObj")).text = server
        ET.SubElement(inner, _q("domain", "registrant")).text = self.settings.registrant
        _auth(inner, uuid.uuid4().hex[:16])
        code, response = self._send(outer)
        return DomainInfo(name, RemoteStatus.PENDING if code == 1001 else RemoteStatus.ACTIVE,
                          _date(response.findtext(".//domain:exDate", None, NS)),
                          _date(response.findtext(".//domain:crDate", None, NS)), name_servers)

    def transfer(self, name: str, *, auth_code: str, years: int, contact: Contact) -> DomainInfo:
        outer, inner = _domain_command("transfer", name, op="request")
        _period(inner, years)
        _auth(inner, auth_code)
        code, response = self._send(outer)
        status = response.findtext(".//domain:trStatus", "", NS)
        done = code == 1000 and status in ("serverApproved", "clientApproved", "")
        return DomainInfo(name, RemoteStatus.ACTIVE if done else RemoteStatus.TRANSFER_PENDING,
                          _date(response.findtext(".//domain:exDate", None, NS)))

    def renew(self, name: str, *, years: int) -> DomainInfo:
        current = self.info(name)
        outer, inner = _domain_command("renew", name)
        ET.SubElement(inner, _q("domain", "curExpDate")).text = (current.expires_on or date.min).isoformat()
        _period(inner, years)
        _, response = self._send(outer)
        return DomainInfo(name, current.status, _date(response.findtext(".//domain:exDate", None, NS)),
                          current.registered_on, current.name_servers, current.locked)

    def info(self, name: str) -> DomainInfo:
        _, response = self._send(_domain_command("info", name)[0])
        statuses = {s.get("s", "") for s in response.iterfind(".//domain:status", NS)}
        pending = {"pendingCreate", "pendingTransfer"} & statuses
        return DomainInfo(
            name, RemoteStatus.PENDING if pending else RemoteStatus.ACTIVE,
            _date(response.findtext(".//domain:exDate", None, NS)), _date(response.findtext(".//domain:crDate", None, NS)),
            tuple(h.text or "" for h in response.iterfind(".//domain:ns/domain:hostObj", NS)), LOCK in statuses)

    def set_name_servers(self, name: str, name_servers: tuple[str, ...]) -> DomainInfo:
        current = self.info(name)
        outer, inner = _domain_command("update", name)
        for verb, hosts in (("add", set(name_servers) - set(current.name_servers)),
                            ("rem", set(current.name_servers) - set(name_servers))):
            if hosts:
                ns = ET.SubElement(ET.SubElement(inner, _q("domain", verb)), _q("domain", "ns"))
                for host in sorted(hosts):
                    ET.SubElement(ns, _q("domain", "hostObj")).text = host
        self._send(outer)
        return self.info(name)

    def set_lock(self, name: str, locked: bool) -> DomainInfo:
        outer, inner = _domain_command("update", name)
        ET.SubElement(ET.SubElement(inner, _q("domain", "add" if locked else "rem")), _q("domain", "status"),
                      {"s": LOCK})
        self._send(outer)
        return self.info(name)


register_driver("epp", DriverSpec(
    settings_model=EppSettings, factory=lambda settings, test_mode: EppRegistrar(settings, test_mode),  # type: ignore[arg-type]
    secret_fields=("password",), description="EPP (RFC 5730-5734) registry or registrar."))
