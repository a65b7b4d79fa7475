"""Headless Chromium driven over the DevTools protocol (CDP), with the network cut off but for one origin.

Just enough of CDP for a page test: navigate, evaluate JavaScript, and fail (and record) every request
that leaves the allowed origin (Fetch domain), behind a host resolver that resolves nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """$COMPTOIR_TEST_CHROMIUM, else the first Chromium-like browser on the PATH."""
    named = os.environ.get("COMPTOIR_TEST_CHROMIUM")
    if named:
        return named
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


class Page:
    def __init__(self, socket: ClientConnection, origin: str) -> None:
        self.socket = socket
        self.origin = origin
        self.blocked: list[str] = []
        self.exceptions: list[str] = []
        self._next_id = 0
        self._responses: dict[int, dict[str, Any]] = {}

    def command(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        sent = self._next_id
        self.socket.send(json.dumps({"id": sent, "method": method, "params": params}))
        while sent not in self._responses:  # events met meanwhile may send commands of their own
            message = json.loads(self.socket.recv(timeout=30))
            if "id" in message:
                self._responses[message["id"]] = message
            else:
                self._event(message)
        response = self._responses.pop(sent)
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result", {})

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            if url.startswith(self.origin + "/"):
                self.command("Fetch.continueRequest", requestId=params["requestId"])
            else:
                self.blocked.append(url)
                self.command("Fetch.failRequest", requestId=params["requestId"], errorReason="InternetDisconnected")
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(params["exceptionDetails"].get("text", ""))

    def evaluate(self, expression: str) -> Any:
        result = self.command("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := self.evaluate(expression):
                return value
            time.sleep(0.1)
        raise TimeoutError(f"still false after {timeout} s: {expression} (requests refused: {self.blocked})")


@contextmanager
def offline_page(chromium: str, origin: str) -> Iterator[Page]:
    """A blank page of a fresh headless Chromium that may reach `origin` (http://127.0.0.1:port) only."""
    with tempfile.TemporaryDirectory(prefix="comptoir-chromium-", ignore_cleanup_errors=True) as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                   "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                   "--remote-debugging-port=0", "about:blank"]
        # A session of its own: Chromium's helper processes are ended with it (its process group).
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            port = _devtools_port(Path(profile), process)
            targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
            page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            with connect(page_url, max_size=None, open_timeout=10) as socket:
                page = Page(socket, origin)
                page.command("Runtime.enable")
                page.command("Fetch.enable", patterns=[{"urlPattern": "*"}])
                yield page
        finally:
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """Chromium writes the port it chose to DevToolsActivePort in its profile."""
    deadline = time.monotonic() + 30
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        if marker.exists() and (lines := marker.read_text().splitlines()):
            return int(lines[0])
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port within 30 s")
