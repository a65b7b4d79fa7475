"""Which SMTP server carries a seller's e-mails, and the sending itself.

A seller with its own SMTP settings (smtp_settings, password sealed) sends through them; every other
seller through the provider's server (COMPTOIR_SMTP_* settings). No server at all is a failed attempt:
the e-mail stays queued and is retried, so configuring a server later still delivers it.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import CommonErrorCode, DomainError, collect_errors
from comptoir.messaging import catcher
from comptoir.messaging.models import SmtpSettings
from comptoir.security.secrets import seal, unseal
from comptoir.settings import get_settings

SECURITY_MODES = ("none", "starttls", "tls")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # one of SECURITY_MODES
    username: str
    password: str
    sender: str


class NoSmtpServer(Exception):
    """Neither the seller nor the provider configured an SMTP server (and no local catcher runs)."""


def provider_server() -> SmtpServer:
    settings = get_settings()
    if not settings.smtp_host and (caught_at := catcher.address()) is not None:
        return SmtpServer(caught_at[0], caught_at[1], "none", "", "", settings.mail_from)
    security = "tls" if settings.smtp_tls else "starttls" if settings.smtp_starttls else "none"
    return SmtpServer(settings.smtp_host, settings.smtp_port, security, settings.smtp_username,
                      settings.smtp_password, settings.mail_from)


def server_for(session: Session, *, seller_id: uuid.UUID) -> SmtpServer:
    own = session.get(SmtpSettings, seller_id)
    if own is None:
        return provider_server()
    return SmtpServer(own.host, own.port, own.security, own.username,
                      unseal(own.password_sealed) if own.password_sealed else "",
                      own.from_address or get_settings().mail_from)


def send(server: SmtpServer, message: EmailMessage) -> None:
    """Send over this thread's open session with `server` (opened on first use, reopened when the server
    closed it or it sat idle): a busy outbox does not pay a TCP and TLS handshake per e-mail. Raises what
    the server or the network raised."""
    if not server.host:
        raise NoSmtpServer("no SMTP server is configured (COMPTOIR_SMTP_HOST, or the seller's own)")
    connection = _open_session(server)
    try:
        connection.send_message(message)
    except smtplib.SMTPServerDisconnected:  # closed while idle: one fresh session
        _forget(server)
        _open_session(server).send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        if not isinstance(error, smtplib.SMTPResponseException) or error.smtp_code >= 500 or error.smtp_code < 400:
            _forget(server)
        raise
    _sessions.used[server] = time.monotonic()


class _Sessions(threading.local):
    def __init__(self) -> None:
        self.open: dict[SmtpServer, smtplib.SMTP] = {}
        self.used: dict[SmtpServer, float] = {}


_sessions = _Sessions()
IDLE_SECONDS = 20.0


def _open_session(server: SmtpServer) -> smtplib.SMTP:
    connection = _sessions.open.get(server)
    if connection is not None and time.monotonic() - _sessions.used.get(server, 0.0) < IDLE_SECONDS:
        return connection
    _forget(server)
    connection = _connect(server)
    _sessions.open[server], _sessions.used[server] = connection, time.monotonic()
    return connection


def _forget(server: SmtpServer) -> None:
    connection = _sessions.open.pop(server, None)
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


def _connect(server: SmtpServer) -> smtplib.SMTP:
    timeout = get_settings().smtp_timeout_seconds
    if server.security == "tls":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                                    context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        if server.security == "starttls":
            connection.starttls(context=ssl.create_default_context())
        if server.username:
            connection.login(server.username, server.password)
    except BaseException:
        connection.close()
        raise
    return connection


@dataclass(frozen=True)
class SmtpSettingsChange:
    host: str
    port: int
    security: str
    username: str = ""
    password: str | None = None  # None: keep the stored one
    from_address: str = ""


def update_settings(session: Session, *, seller_id: uuid.UUID, change: SmtpSettingsChange) -> SmtpSettings:
    """The seller's own SMTP server from now on (the password sealed at rest)."""
    with collect_errors() as errors:
        if not change.host.strip() or len(change.host) > 255 or any(c.isspace() for c in change.host):
            errors.add(DomainError(CommonErrorCode.INVALID, "Give the server's host name.", field="host"))
        if not 1 <= change.port <= 65535:
            errors.add(DomainError(CommonErrorCode.INVALID, "A port is between 1 and 65535.", field="port"))
        if change.security not in SECURITY_MODES:
            errors.add(DomainError(CommonErrorCode.INVALID, "Security: none, starttls or tls.", field="security"))
        if change.from_address and "@" not in change.from_address:
            errors.add(DomainError(CommonErrorCode.INVALID, "Give an e-mail address.", field="fromAddress"))
    row = session.get(SmtpSettings, seller_id, with_for_update=True)
    if row is None:
        row = SmtpSettings(seller_id=seller_id, host="", port=change.port)
        session.add(row)
    row.host, row.port, row.security = change.host.strip(), change.port, change.security
    row.username, row.from_address = change.username, change.from_address
    if change.password is not None:
        row.password_sealed = seal(change.password, seller_id=seller_id) if change.password else ""
    row.updated_at = clock.now()
    session.flush()
    return row


def remove_settings(session: Session, *, seller_id: uuid.UUID) -> None:
    """Back to the provider's server."""
    row = session.get(SmtpSettings, seller_id)
    if row is not None:
        session.delete(row)
        session.flush()
