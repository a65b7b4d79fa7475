"""`make bench` (BENCH_ARGS="--duration 5 …"): the application against the floor, side by side.

Each query is served by the application (database-backed through row-level security, with a
bearer token) and by the floor (a bare Strawberry schema over in-memory objects, bench/floor.py),
under the same uvicorn settings and the same closed-loop load from a separate process. Printed and
written to bench/results/, never asserted: requests/s, p50/p99 latency, and the server's own CPU
time per request (steadier than requests/s on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import database, documents, emails, hosting, loadgen, servers
from bench.queries import QUERIES

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGETS = {"floor": "bench.floor:app", "comptoir": "comptoir.app:app"}
BENCHMARKS = ("api", "subscriptions", "plan-sync", "emails", "documents")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per scenario (10)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds before each scenario (2)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections kept busy (8)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat every scenario, interleaved; the best round is reported (1)")
    parser.add_argument("--queries", default=",".join(QUERIES),
                        help=f"comma-separated, of {', '.join(QUERIES)}")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated, of floor, comptoir")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "httpx"), default="auto",
                        help="auto: wrk when installed, else httpx")
    parser.add_argument("--app", default=TARGETS["comptoir"],
                        help=f"the application to measure as module:attribute ({TARGETS['comptoir']})")
    parser.add_argument("--app-dir", default=None,
                        help="import the application from this directory first (e.g. an export of an older"
                             " revision, to measure before and after with the same benchmark)")
    parser.add_argument("--hosting-queries", default=",".join(hosting.QUERIES),
                        help=f"comma-separated, of {', '.join(hosting.QUERIES)} (the subscriptions benchmark)")
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the benchmark databases")
    parser.add_argument("--benchmarks", default=",".join(BENCHMARKS),
                        help="comma-separated, of api (the queries against the floor), subscriptions (the"
                             " subscriptions connection as one reseller), plan-sync (plan \"Update & Sync\"),"
                             " emails (e-mails delivered per second to a local SMTP server),"
                             " documents (PDF render time per invoice, warm)")
    parser.add_argument("--emails", type=int, default=2000, help="e-mails queued and delivered (2000)")
    parser.add_argument("--pdfs", type=int, default=30, help="PDFs rendered per case, documents benchmark (30)")
    parser.add_argument("--subscriptions", type=int, default=100_000,
                        help="subscriptions over the resellers, for the subscriptions query (100000)")
    parser.add_argument("--resellers", type=int, default=200,
                        help="resellers sharing --subscriptions (200)")
    parser.add_argument("--sync-subscriptions", type=int, default=10_000,
                        help="subscriptions on the plan \"Update & Sync\" is timed on (10000)")
    return parser.parse_args(argv)


def check_response(url: str, body: bytes, headers: dict[str, str], query: str) -> int:
    """One request before the load: the answer must be complete and error-free; returns its size."""
    response = httpx.post(url, content=body, headers=headers, timeout=30)
    payload = response.json()
    if response.status_code != 200 or "errors" in payload:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:500]}")
    data = payload["data"]
    if query == "resellers":
        edges = data["resellers"]["edges"]
        assert len(edges) == database.RESELLERS and all(e["node"]["allocation"] for e in edges), data
    else:
        assert data["me"]["username"] == database.PROVIDER, data
    return len(response.content)


def _wait(process: Any, label: str, phase: str, seconds: int) -> None:
    started = time.monotonic()
    while process.poll() is None:
        if sys.stderr.isatty():
            elapsed = min(time.monotonic() - started, seconds)
            bar = "#" * int(20 * elapsed / seconds)
            print(f"\r  {label:<24} {phase:<9} [{bar:<20}] {elapsed:4.1f}/{seconds} s", end="",
                  file=sys.stderr, flush=True)
        time.sleep(0.2)


def run_scenario(label: str, server: servers.Server, load: loadgen.Load, warmup: int, tool: str
                 ) -> dict[str, Any]:
    if not sys.stderr.isatty():
        print(f"  {label:<24} {warmup} s warm-up, {load.duration} s measured…", file=sys.stderr, flush=True)
    if warmup:
        warm = loadgen.Load(load.url, load.body, load.headers, load.concurrency, warmup)
        process = loadgen.start(warm, tool)
        _wait(process, label, "warm-up", warmup)
        loadgen.finish(process)
    cpu_before = server.cpu_seconds()
    process = loadgen.start(load, tool)
    _wait(process, label, "measuring", load.duration)
    result = loadgen.finish(process)
    cpu_after = server.cpu_seconds()
    cpu_ms = (1000 * (cpu_after - cpu_before) / result.requests
              if cpu_before is not None and cpu_after is not None and result.requests else None)
    cpu_text = f"  server CPU {cpu_ms:6.2f} ms/req" if cpu_ms is not None else ""
    print(f"\r  {label:<24} {result.requests_per_second:8.1f} req/s  p50 {result.p50_ms:7.2f} ms"
          f"  p99 {result.p99_ms:7.2f} ms{cpu_text}  errors {result.errors}" + " " * 8,
          file=sys.stderr, flush=True)
    return {**asdict(result), "server_cpu_ms_per_request": cpu_ms}


def git_revision() -> str:
    try:
        revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return revision + ("+changes" if dirty else "")


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The best round by requests/s; the server's CPU per request as the median over rounds."""
    best = max(rounds, key=lambda r: r["requests_per_second"])
    cpu = [r["server_cpu_ms_per_request"] for r in rounds if r["server_cpu_ms_per_request"] is not None]
    return {**best, "server_cpu_ms_per_request": statistics.median(cpu) if cpu else None, "rounds": rounds}


def ratios(summary: dict[str, dict[str, dict[str, Any]]], queries: list[str]) -> dict[str, dict[str, float]]:
    if "floor" not in summary or "comptoir" not in summary:
        return {}
    out = {}
    for query in queries:
        floor, ours = summary["floor"][query], summary["comptoir"][query]
        out[query] = {"requests_per_second": ours["requests_per_second"] / floor["requests_per_second"]}
        floor_cpu, our_cpu = floor["server_cpu_ms_per_request"], ours["server_cpu_ms_per_request"]
        if floor_cpu and our_cpu:
            out[query]["cpu_per_request"] = floor_cpu / our_cpu
    return out


def print_table(summary: dict[str, dict[str, dict[str, Any]]], queries: list[str],
                vs_floor: dict[str, dict[str, float]]) -> None:
    print(f"\n{'query':<20} {'target':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10}"
          f" {'errors':>6} {'bytes':>7}   vs floor: req/s, CPU")
    for query in queries:
        for target, per_query in summary.items():
            row = per_query[query]
            cpu = row["server_cpu_ms_per_request"]
            ratio = vs_floor.get(query, {}) if target == "comptoir" else {}
            ratio_text = "   ".join(f"{ratio[k]:5.0%}" for k in ("requests_per_second", "cpu_per_request")
                                    if k in ratio)
            print(f"{query:<20} {target:<9} {row['requests_per_second']:8.1f} {row['p50_ms']:8.2f}"
                  f" {row['p99_ms']:8.2f} {cpu if cpu is not None else float('nan'):10.2f} {row['errors']:6d}"
                  f" {row['response_bytes']:7d}   {ratio_text}")


def run_api(args: argparse.Namespace, queries: list[str], targets: list[str], tool: str) -> dict[str, Any]:
    """The queries of bench/queries.py, the application against the floor."""
    print("preparing the database…", file=sys.stderr, flush=True)
    db = database.prepare(fresh=args.fresh)
    token = database.provider_token(db.app_url)
    env = {"COMPTOIR_DATABASE_URL": db.app_url, "COMPTOIR_BROKER_URL": "", "COMPTOIR_GRAPHIQL": "false",
           "COMPTOIR_DEBUG": "false"}
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "Authorization": f"Bearer {token}"}
    print(f"database {database.DATABASE} on {db.where}; load: {tool}, {args.concurrency} connections,"
          f" {args.warmup} s warm-up + {args.duration} s per scenario, {args.rounds} round(s)",
          file=sys.stderr, flush=True)

    rounds: dict[str, dict[str, list[dict[str, Any]]]] = {t: {q: [] for q in queries} for t in targets}
    with ExitStack() as stack:
        apps = {**TARGETS, "comptoir": args.app}
        running = {t: stack.enter_context(servers.uvicorn(apps[t], env=env, log=RESULTS / f"server-{t}.log",
                                                          app_dir=args.app_dir if t == "comptoir" else None))
                   for t in targets}
        sizes = {}
        for n in range(args.rounds):
            for query in queries:
                body = json.dumps({"query": QUERIES[query]}).encode()
                for target, server in running.items():
                    sizes[target, query] = check_response(server.url, body, headers, query)
                    load = loadgen.Load(server.url, body, headers, args.concurrency, args.duration)
                    label = f"{target} / {query}" + (f" #{n + 1}" if args.rounds > 1 else "")
                    rounds[target][query].append(run_scenario(label, server, load, args.warmup, tool))
    summary = {t: {q: {**summarise(rounds[t][q]), "response_bytes": sizes[t, q]} for q in queries}
               for t in targets}
    vs_floor = ratios(summary, queries)
    print_table(summary, queries, vs_floor)
    return {"database": db.where, "results": summary, "vs_floor": vs_floor}


def run_subscriptions(args: argparse.Namespace, app_url: str, per_reseller: int, tool: str) -> dict[str, Any]:
    """A reseller's 50-subscription page (bench/hosting.py's queries), the application against the floor
    (bench/floor_hosting.py), interleaved round by round."""
    queries = [q for q in args.hosting_queries.split(",") if q]
    targets = [t for t in args.targets.split(",") if t]
    token = hosting.reseller_token(app_url)
    env = {"COMPTOIR_DATABASE_URL": app_url, "COMPTOIR_BROKER_URL": "", "COMPTOIR_GRAPHIQL": "false",
           "COMPTOIR_DEBUG": "false", "BENCH_SUBSCRIPTIONS_PER_RESELLER": str(per_reseller)}
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "Authorization": f"Bearer {token}"}
    print(f"subscriptions(first: 50) as one reseller ({per_reseller} subscriptions of its own); load: {tool},"
          f" {args.concurrency} connections", file=sys.stderr, flush=True)
    rounds: dict[str, dict[str, list[dict[str, Any]]]] = {t: {q: [] for q in queries} for t in targets}
    sizes: dict[tuple[str, str], int] = {}
    with ExitStack() as stack:
        apps = {**TARGETS, "comptoir": args.app}
        running = {t: stack.enter_context(servers.uvicorn(
            apps[t], env=env, log=RESULTS / f"server-{t}-hosting.log", app_dir=args.app_dir if t == "comptoir"
            else None)) for t in targets}
        for n in range(args.rounds):
            for query in queries:
                body = json.dumps({"query": hosting.QUERIES[query]}).encode()
                for target, server in running.items():
                    response = httpx.post(server.url, content=body, headers=headers, timeout=60)
                    payload = response.json()
                    if response.status_code != 200 or "errors" in payload:
                        raise RuntimeError(f"{server.url} answered {response.status_code}: {response.text[:500]}")
                    hosting.check_subscriptions(payload["data"], per_reseller)
                    sizes[target, query] = len(response.content)
                    load = loadgen.Load(server.url, body, headers, args.concurrency, args.duration)
                    label = f"{target} / {query}" + (f" #{n + 1}" if args.rounds > 1 else "")
                    rounds[target][query].append(run_scenario(label, server, load, args.warmup, tool))
    summary = {t: {q: {**summarise(rounds[t][q]), "response_bytes": sizes[t, q]} for q in queries}
               for t in targets}
    return {"results": summary, "vs_floor": ratios(summary, queries), "subscriptions_of_reseller": per_reseller}


def run_hosting(args: argparse.Namespace, benchmarks: list[str], tool: str) -> dict[str, Any]:
    """The subscriptions connection at scale, and plan "Update & Sync" timed in this process."""
    sizes = hosting.Sizes(args.subscriptions, args.resellers, args.sync_subscriptions)
    if sizes.resellers < 1 or sizes.subscriptions < sizes.resellers:
        raise SystemExit("--resellers must be at least 1 and at most --subscriptions")
    superuser, where = database.superuser_url()
    print(f"preparing {hosting.DATABASE} on {where}…", file=sys.stderr, flush=True)
    db = hosting.prepare(superuser, sizes, fresh=args.fresh)
    out: dict[str, Any] = {"database": where, "sizes": asdict(sizes), "seeded_s": db.seeded_seconds}
    per_reseller = sizes.subscriptions // sizes.resellers + (sizes.subscriptions % sizes.resellers > 0)

    if "subscriptions" in benchmarks:
        out["subscriptions"] = run_subscriptions(args, db.app_url, per_reseller, tool)

    if "plan-sync" in benchmarks:
        print(f"plan \"Update & Sync\" over {sizes.sync_subscriptions} subscriptions", file=sys.stderr, flush=True)
        out["plan_sync"] = hosting.plan_sync(db.app_url)

    print()
    if db.seeded_seconds is not None:
        print(f"{hosting.DATABASE} seeded in {db.seeded_seconds:.1f} s")
    if "subscriptions" in out:
        found = out["subscriptions"]
        print(f"subscriptions(first: 50) as one reseller, {sizes.subscriptions} subscriptions /"
              f" {sizes.resellers} resellers:")
        print_table(found["results"], list(found["vs_floor"]) or list(next(iter(found["results"].values()))),
                    found["vs_floor"])
    if "plan_sync" in out:
        sync = out["plan_sync"]
        print(f"plan Update & Sync, {sync['subscriptions']} subscriptions: job {sync['job_s']:.2f} s"
              f" ({sync['rows_per_second']:.0f} rows/s), update_and_sync {sync['update_and_sync_s']:.2f} s;"
              f" {sync['subscriptions_with_new_value']}/{sync['subscriptions']} with {sync['resource']} ="
              f" {sync['after']} (sample {sync['sample']['domain_name']}: {sync['sample']['value']})")
    return out


def run_emails(args: argparse.Namespace) -> dict[str, Any]:
    """E-mails delivered per second to a local SMTP server (bench/emails.py)."""
    print(f"e-mail delivery: {args.emails} e-mails to a local SMTP server", file=sys.stderr, flush=True)
    db = database.prepare(fresh=args.fresh)
    found = emails.run(db.app_url, count=args.emails)
    print(f"\ne-mails: {found['received']}/{found['emails']} delivered in {found['deliver_s']:.2f} s ="
          f" {found['delivered_per_second']:.0f}/s (goal >= {found['goal_per_second']}/s, {found['workers']} threads);"
          f" queued at {found['enqueued_per_second']:.0f}/s; CPU per e-mail: {found['enqueue_cpu_ms_per_email']:.1f} ms"
          f" queueing, {found['deliver_cpu_ms_per_email']:.1f} ms delivering")
    return found


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    queries = [q for q in args.queries.split(",") if q]
    targets = [t for t in args.targets.split(",") if t]
    benchmarks = [b for b in args.benchmarks.split(",") if b]
    unknown = set(queries) - set(QUERIES) | set(targets) - set(TARGETS) | set(benchmarks) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown: {', '.join(sorted(unknown))}")
    tool = loadgen.tool_for(args.loadgen)
    if tool == "httpx":
        print("load from httpx: it takes CPU the servers would otherwise have"
              " (wrk is lighter: apt-get install wrk)", file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)

    api = run_api(args, queries, targets, tool) if "api" in benchmarks else None
    hosted = run_hosting(args, benchmarks, tool) if {"subscriptions", "plan-sync"} & set(benchmarks) else None
    mail = run_emails(args) if "emails" in benchmarks else None
    pdfs = documents.measure(args.pdfs) if "documents" in benchmarks else None
    if pdfs:
        print()
        documents.print_table(pdfs)
    if hasattr(os, "getloadavg"):
        print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work on the machine"
              " lowers requests/s more than the servers' CPU time per request")

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp, "revision": git_revision(), "python": platform.python_version(),
        "cpus": os.cpu_count(), "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "app": args.app, "database": api["database"] if api else None, "loadgen": tool,
        "concurrency": args.concurrency, "duration_s": args.duration, "warmup_s": args.warmup,
        "results": api["results"] if api else {}, "vs_floor": api["vs_floor"] if api else {},
        "hosting": hosted,
        "emails": mail,
        "documents": pdfs,
    }
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
