"""The local SMTP catcher of embedded mode: with no SMTP server configured, `comptoir serve` runs one on
127.0.0.1 and delivery goes there; it keeps the last messages it received for the caughtEmails query, so
a newcomer sees what the product sends without any mail server."""

from __future__ import annotations

import email
import email.policy
import itertools
import socket
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

KEPT = 200


@dataclass(frozen=True)
class CaughtEmail:
    number: int
    received_at: datetime
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return str(body.get_content()) if body is not None and body.get_content_subtype() == subtype else ""

    @property
    def attachments(self) -> list[str]:
        return [part.get_filename() or "" for part in self.message.iter_attachments()]


class _Keeper:
    def __init__(self) -> None:
        self.messages: deque[CaughtEmail] = deque(maxlen=KEPT)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(CaughtEmail(next(self._numbers), datetime.now(UTC), envelope.mail_from,
                                             tuple(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message caught"


_controller: Any = None
_keeper = _Keeper()


def start(port: int) -> tuple[str, int]:
    """Listen on 127.0.0.1:`port` (0: any free port); returns the address. Idempotent."""
    global _controller
    if _controller is None:
        from aiosmtpd.controller import Controller

        controller = Controller(_keeper, hostname="127.0.0.1", port=port or _free_port())
        controller.start()
        _controller = controller
    return address() or ("127.0.0.1", port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop() -> None:
    global _controller
    if _controller is not None:
        _controller.stop()
        _controller = None


def address() -> tuple[str, int] | None:
    """Where the running catcher listens, or None."""
    if _controller is None:
        return None
    return str(_controller.hostname), int(_controller.port)


def caught(limit: int = KEPT) -> list[CaughtEmail]:
    """The newest first."""
    return list(reversed(_keeper.messages))[:limit]


def clear() -> None:
    _keeper.messages.clear()
