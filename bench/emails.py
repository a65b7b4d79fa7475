"""E-mails delivered per second to a local SMTP server (goal: at least 200/s).

Queues `count` password-reset e-mails of the bench provider in one transaction (rendered at enqueue,
as in production), then delivers them as the embedded fast path does: `workers` threads, each e-mail
one intent performed under its row lock (one transaction and one SMTP session per e-mail), to an
aiosmtpd server in this process. Timed from the first delivery to the last message received; the
process's CPU time per e-mail is reported too (on a loaded machine the wall clock mostly measures
waiting for PostgreSQL).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from bench import database


class _Counter:
    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received += 1
        return "250 OK"


def run(app_url: str, *, count: int = 2000, workers: int = 4) -> dict[str, Any]:
    os.environ["COMPTOIR_DATABASE_URL"] = app_url  # intents open sessions on the default URL
    from comptoir.settings import get_settings

    get_settings.cache_clear()
    from aiosmtpd.controller import Controller

    from comptoir.automation import intents, registry  # noqa: F401 -- registry wires the e-mail kind
    from comptoir.database import intents as intent_rows
    from comptoir.database.engine import session_scope
    from comptoir.messaging import catcher, outbox
    from comptoir.tenancy.context import Role, TenantContext
    from comptoir.tenancy.models import User

    counter = _Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=catcher._free_port())
    controller.start()
    settings = get_settings()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", controller.port
    previous = intent_rows.install_publisher(None)  # delivered below, timed, not by the commit hook
    try:
        with session_scope(TenantContext(Role.PROVIDER, uuid.uuid4()), app_url) as session:
            seller_id = session.scalars(select(User.seller_id).where(User.username == database.PROVIDER)).one()
        started, cpu = time.perf_counter(), time.process_time()
        with session_scope(TenantContext(Role.SYSTEM, seller_id), app_url) as session:
            ids = [outbox.enqueue(session=session, seller_id=seller_id, customer_id=None,
                                  to_address=f"reader{n}@example.test", template="password_reset",
                                  language=("en", "fr", "de", "es", "ru")[n % 5],
                                  variables={"name": f"Reader {n}", "username": f"reader{n}", "minutes": 60,
                                             "link": f"https://panel.example.test/r?token={n}"}).id
                   for n in range(count)]
        enqueue_s, enqueue_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  {count} e-mails queued in {enqueue_s:.2f} s; delivering with {workers} threads…",
              file=sys.stderr, flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(lambda i: intents.perform("email", seller_id, i), ids))
        while counter.received < count and time.perf_counter() - started < 60:
            time.sleep(0.01)
        deliver_s, deliver_cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        intent_rows.install_publisher(previous)
        controller.stop()
    return {"emails": count, "workers": workers, "sent": statuses.count("done"), "received": counter.received,
            "enqueue_s": enqueue_s, "enqueued_per_second": count / enqueue_s, "deliver_s": deliver_s,
            "delivered_per_second": counter.received / deliver_s, "goal_per_second": 200,
            # CPU of this process (client side and the in-process SMTP server): steadier on a busy machine
            "enqueue_cpu_ms_per_email": 1000 * enqueue_cpu / count,
            "deliver_cpu_ms_per_email": 1000 * deliver_cpu / count}
