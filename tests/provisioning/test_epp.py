"""The EPP driver against a local fake EPP server (RFC 5730/5731 frames, no network)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from comptoir.provisioning import epp
from comptoir.provisioning.registrar import (
    Contact,
    RegistrarError,
    RegistrarErrorCode,
    RegistrarUnreachable,
    RemoteStatus,
    driver_for,
)

NS = epp.NS
CONTACT = Contact(name="Ada", email="ada@example.test")


class FakeEppServer:
    """Answers EPP commands from an in-memory registry, as a registry server would; records the frames."""

    def __init__(self, settings: epp.EppSettings) -> None:
        self.domains: dict[str, dict[str, Any]] = {"held.com": {"ex": "2027-03-01", "ns": [], "status": {"ok"},
                                                                "auth": "s3cret-code"}}
        self.frames: list[bytes] = []
        self.fail_next = 0

    def exchange(self, frame: bytes) -> bytes:
        self.frames.append(frame)
        if self.fail_next:
            self.fail_next -= 1
            return self._result(2400, "Command failed")
        root = ET.fromstring(frame)
        command = root.find("epp:command", NS)
        assert command is not None and command.findtext("epp:clTRID", None, NS)
        verb = next(child for child in command if not child.tag.endswith("clTRID"))
        name = verb.findtext(".//domain:name", "", NS)
        handler = getattr(self, "_" + verb.tag.rpartition("}")[2])
        return handler(verb, name)  # type: ignore[no-any-return]

    def _result(self, code: int, message: str, data: str = "") -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?><epp xmlns="{epp.EPP}"><response>'
                f'<result code="{code}"><msg>{message}</msg></result>'
                f'{f"<resData>{data}</resData>" if data else ""}<trID><svTRID>SV-1</svTRID></trID>'
                f"</response></epp>").encode()

    def _login(self, verb: ET.Element, name: str) -> bytes:
        ok = verb.findtext("epp:clID", "", NS) == "comptoir" and verb.findtext("epp:pw", "", NS) == "pw"
        return self._result(1000 if ok else 2200, "ok" if ok else "Authentication error")

    def _check(self, verb: ET.Element, name: str) -> bytes:
        avail = "0" if name in self.domains else "1"
        return self._result(1000, "ok", f'<domain:chkData xmlns:domain="{epp.DOMAIN}"><domain:cd>'
                                        f'<domain:name avail="{avail}">{name}</domain:name></domain:cd></domain:chkData>')

    def _create(self, verb: ET.Element, name: str) -> bytes:
        if name in self.domains:
            return self._result(2302, "Object exists")
        years = int(verb.findtext(".//domain:period", "1", NS))
        hosts = [h.text for h in verb.iterfind(".//domain:hostObj", NS)]
        self.domains[name] = {"ex": f"{2026 + years}-11-30", "ns": hosts, "status": {"ok"}, "auth": "x"}
        return self._result(1000, "ok", f'<domain:creData xmlns:domain="{epp.DOMAIN}"><domain:name>{name}'
                                        f"</domain:name><domain:crDate>2026-11-30T00:00:00Z</domain:crDate>"
                                        f"<domain:exDate>{2026 + years}-11-30T00:00:00Z</domain:exDate></domain:creData>")

    def _info(self, verb: ET.Element, name: str) -> bytes:
        found = self.domains.get(name)
        if found is None:
            return self._result(2303, "Object does not exist")
        statuses = "".join(f'<domain:status s="{s}"/>' for s in sorted(found["status"]))
        hosts = "".join(f"<domain:hostObj>{h}</domain:hostObj>" for h in found["ns"])
        return self._result(1000, "ok", f'<domain:infData xmlns:domain="{epp.DOMAIN}"><domain:name>{name}'
                                        f"</domain:name>{statuses}<domain:ns>{hosts}</domain:ns>"
                                        f"<domain:exDate>{found['ex']}T00:00:00Z</domain:exDate></domain:infData>")

    def _transfer(self, verb: ET.Element, name: str) -> bytes:
        found = self.domains.get(name)
        if found is None:
            return self._result(2303, "Object does not exist")
        if verb.findtext(".//domain:pw", "", NS) != found["auth"]:
            return self._result(2202, "Invalid authorization information")
        return self._result(1001, "Command completed successfully; action pending",
                            f'<domain:trnData xmlns:domain="{epp.DOMAIN}"><domain:name>{name}</domain:name>'
                            f"<domain:trStatus>pending</domain:trStatus></domain:trnData>")

    def _renew(self, verb: ET.Element, name: str) -> bytes:
        found = self.domains[name]
        assert verb.findtext(".//domain:curExpDate", "", NS) == found["ex"]  # RFC 5731 guards double renewals
        found["ex"] = f"{int(found['ex'][:4]) + int(verb.findtext('.//domain:period', '1', NS))}{found['ex'][4:]}"
        return self._result(1000, "ok", f'<domain:renData xmlns:domain="{epp.DOMAIN}"><domain:name>{name}'
                                        f"</domain:name><domain:exDate>{found['ex']}</domain:exDate></domain:renData>")

    def _update(self, verb: ET.Element, name: str) -> bytes:
        found = self.domains[name]
        for section, change in (("add", set.add), ("rem", set.discard)):
            part = verb.find(f".//domain:{section}", NS)
            if part is None:
                continue
            for status in part.iterfind("domain:status", NS):
                change(found["status"], status.get("s"))
            hosts = [h.text for h in part.iterfind(".//domain:hostObj", NS)]
            found["ns"] = found["ns"] + hosts if section == "add" else [h for h in found["ns"] if h not in hosts]
        return self._result(1000, "ok")


@pytest.fixture
def server() -> FakeEppServer:
    made: list[FakeEppServer] = []

    def factory(settings: epp.EppSettings) -> FakeEppServer:
        made.append(FakeEppServer(settings))
        return made[-1]

    epp.register_transport("fake", factory)
    registrar = driver_for("epp", {"host": "epp.example.test", "client_id": "comptoir", "password": "pw",
                                   "registrant": "ADA-1", "tlds": ["com"], "transport": "fake"}, test_mode=True)
    made[0].registrar = registrar  # type: ignore[attr-defined]
    return made[0]


def test_check_and_register_log_in_once_and_read_the_dates(server: FakeEppServer) -> None:
    registrar = server.registrar  # type: ignore[attr-defined]
    assert registrar.check("new.com").available and not registrar.check("held.com").available
    info = registrar.register("new.com", years=2, contact=CONTACT, name_servers=("ns1.example.net",))
    assert (info.status, info.expires_on, info.registered_on) == (RemoteStatus.ACTIVE, date(2028, 11, 30),
                                                                   date(2026, 11, 30))
    assert [f.count(b"<login") for f in server.frames] == [1, 0, 0, 0]
    assert b"<domain:registrant>ADA-1</domain:registrant>" in server.frames[-1]
    with pytest.raises(RegistrarError) as exists:
        registrar.register("new.com", years=1, contact=CONTACT)
    assert exists.value.code is RegistrarErrorCode.DOMAIN_UNAVAILABLE


def test_a_transfer_needs_the_auth_code_and_is_pending_until_the_registry_approves(server: FakeEppServer) -> None:
    registrar = server.registrar  # type: ignore[attr-defined]
    with pytest.raises(RegistrarError) as wrong:
        registrar.transfer("held.com", auth_code="nope", years=1, contact=CONTACT)
    assert wrong.value.code is RegistrarErrorCode.WRONG_AUTH_CODE
    assert registrar.transfer("held.com", auth_code="s3cret-code", years=1, contact=CONTACT).status is \
        RemoteStatus.TRANSFER_PENDING


def test_renew_sends_the_current_expiry_and_moves_it_by_the_years(server: FakeEppServer) -> None:
    assert server.registrar.renew("held.com", years=3).expires_on == date(2030, 3, 1)  # type: ignore[attr-defined]


def test_name_servers_and_lock_are_updates_read_back_with_info(server: FakeEppServer) -> None:
    registrar = server.registrar  # type: ignore[attr-defined]
    info = registrar.set_name_servers("held.com", ("ns1.example.net", "ns2.example.net"))
    assert info.name_servers == ("ns1.example.net", "ns2.example.net") and not info.locked
    assert registrar.set_lock("held.com", True).locked
    assert not registrar.set_lock("held.com", False).locked


def test_a_server_failure_is_retryable_and_an_unknown_domain_a_refusal(server: FakeEppServer) -> None:
    registrar = server.registrar  # type: ignore[attr-defined]
    server.fail_next = 1
    with pytest.raises(RegistrarUnreachable):
        registrar.check("x.com")  # the log-in itself failed
    with pytest.raises(RegistrarError) as unknown:
        registrar.info("nowhere.com")
    assert unknown.value.code is RegistrarErrorCode.DOMAIN_UNKNOWN
