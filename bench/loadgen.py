"""Load generators, each in its own process: wrk when installed, else httpx (`python -m bench.loadgen`).

Closed loop: `concurrency` connections (kept alive) each send the next request when the previous
answer arrived, for a fixed duration. A response that is not 200 or that carries GraphQL errors
counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Load:
    url: str
    body: bytes
    headers: dict[str, str]
    concurrency: int
    duration: int  # seconds (wrk takes whole seconds)


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def tool_for(choice: str) -> str:
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "httpx"
    if choice == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), use --loadgen httpx")
    return choice


def start(load: Load, tool: str) -> subprocess.Popen[str]:
    """Start the load in a separate process; `finish` reads its result."""
    if tool == "wrk":
        return _start_wrk(load)
    command = [sys.executable, "-m", "bench.loadgen", load.url, "--concurrency", str(load.concurrency),
               "--duration", str(load.duration), "--body", load.body.decode()]
    for name, value in load.headers.items():
        command += ["--header", f"{name}: {value}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])


def finish(process: subprocess.Popen[str]) -> Result:
    out, err = process.communicate()
    line = next((line for line in out.splitlines() if line.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"load generator failed ({process.returncode}): {err.strip() or out.strip()}")
    return Result(**json.loads(line.removeprefix("BENCH_JSON ")))


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %(body)s
%(headers)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  for _, thread in ipairs(threads) do errors = errors + thread:get("bad") end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "errors": %%d, "seconds": %%.3f, "requests_per_second": %%.1f,'
    .. ' "p50_ms": %%.3f, "p99_ms": %%.3f}\\n',
    summary.requests, errors, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _start_wrk(load: Load) -> subprocess.Popen[str]:
    headers = "\n".join(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}"
                        for name, value in load.headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"body": _lua_string(load.body.decode()), "headers": headers})
    command = ["wrk", "-t1", f"-c{load.concurrency}", f"-d{load.duration}s", "--timeout", "60s", "--latency",
               "-s", script.name, load.url]
    return subprocess.Popen(["sh", "-c", '"$@"; status=$?; rm -f "$0"; exit $status', script.name, *command],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def _httpx_load(load: Load) -> Result:
    import httpx

    limits = httpx.Limits(max_connections=load.concurrency, max_keepalive_connections=load.concurrency)
    latencies: list[float] = []
    errors = 0
    window_end = time.perf_counter() + load.duration

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            sent = time.perf_counter()
            if sent >= window_end:
                return
            try:
                response = await client.post(load.url, content=load.body, headers=load.headers)
                ok = response.status_code == 200 and b'"errors"' not in response.content
            except httpx.HTTPError:
                ok = False
            received = time.perf_counter()
            if received <= window_end:
                latencies.append(received - sent)
                errors += not ok

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(load.concurrency)))
    latencies.sort()
    count = len(latencies)

    def percentile(p: float) -> float:
        return latencies[min(count - 1, int(p / 100 * count))] * 1000 if count else 0.0

    return Result(requests=count, errors=errors, seconds=load.duration,
                  requests_per_second=count / load.duration, p50_ms=percentile(50), p99_ms=percentile(99))


def main() -> None:
    parser = argparse.ArgumentParser(description="httpx load generator: POST one body, closed loop.")
    parser.add_argument("url")
    parser.add_argument("--body", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    load = Load(args.url, args.body.encode(), headers, args.concurrency, args.duration)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(_httpx_load(load))
    else:
        result = uvloop.run(_httpx_load(load))
    print("BENCH_JSON " + json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
