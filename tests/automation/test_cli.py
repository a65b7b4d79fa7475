"""The sandbox clock's CLI twin: `comptoir sandbox-advance --to …` and `comptoir tick`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from comptoir.database.engine import session_scope
from tests import factories

COMPTOIR = str(Path(sys.executable).with_name("comptoir"))


def _run(*args: str, sandbox: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMPTOIR_SANDBOX": "true" if sandbox else "false"}
    return subprocess.run([COMPTOIR, *args], env=env, capture_output=True, text=True, timeout=120)


def _instance_now() -> str:
    with session_scope(None) as session:
        return str(session.scalar(text("SELECT comptoir_instance_now()::date")))


TARGET = (date.today() + timedelta(days=60)).isoformat()


def test_sandbox_advance_moves_the_instance_clock_and_prints_what_ran():
    factories.provider()
    done = _run("sandbox-advance", "--to", TARGET, sandbox=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("expiration_check") == 61  # today, then each of the 60 midnights
    assert done.stdout.strip().endswith(f"the clock is at {TARGET}T00:00:00+00:00")
    assert _instance_now() == TARGET


def test_sandbox_advance_is_refused_without_the_sandbox_setting():
    factories.provider()
    refused = _run("sandbox-advance", "--to", TARGET, sandbox=False)
    assert refused.returncode == 1 and "not in sandbox mode" in refused.stderr
    assert _instance_now() < TARGET


def test_tick_runs_what_is_due_once():
    factories.provider()
    first, second = _run("tick", sandbox=False), _run("tick", sandbox=False)
    assert "expiration_check" in first.stdout and "intent_relay" in first.stdout
    assert second.stdout == ""  # nothing is due again so soon
