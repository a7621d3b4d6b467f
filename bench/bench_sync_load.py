"""200 simulated delegates syncing against gunicorn + PostgreSQL (issue 5 figure d).

Run: .venv/bin/python bench/bench_sync_load.py  (re-executes itself under tools/pg-throwaway.sh)

Setup (not measured): 200 accounts are enrolled, one phone each, by the Python sync client
(Argon2id at the SP1 floor on the client, argon2-cffi on the server). Then, measured: every
delegate makes ``--rounds`` syncs, each after a random pause of 0–``--think`` s and some offline
work (1–5 new records or edits; one sync in ten also carries a 0.2–1 MiB photo). Two arrival
patterns run in turn: a burst (pauses of 0–3 s: all 200 tap "Sync now" within seconds, e.g.
after a briefing) and a paced one (0–30 s). Delegates are threads in ``--procs`` client
processes on the same 2-core machine as the server and PostgreSQL, so the clients' CPU use is
inside every number (it is reported, with the server's).

Reported: latency of every HTTP request of the measured phase (p50/p95/p99, per route), errors
(any attempt that failed — connection error, 5xx, 429 — even if a retry then succeeded, and
syncs that failed outright), and lost records (created on a phone, synced, but not listed by the
server afterwards; plus duplicates). Goal: p95 < 300 ms, 0 errors, 0 lost.

The server is the app on gunicorn (gthread) with a pooled database engine, as in production.
Rate limits are the testing ones (all 200 delegates come from 127.0.0.1 here).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "crypto")]
# Line-buffered: the PostgreSQL pass is a child process writing to the same stream.
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

from tests.support.bench import (  # noqa: E402
    PG_ENV,
    Invites,
    database,
    percentile,
    pg_available,
    reexec_under_pg,
)
from tests.support.serve import ServerProcess  # noqa: E402
from tests.support.sync_client import Device, new_account  # noqa: E402


def work(dev: Device, rng: random.Random) -> None:
    """Offline work before a sync: new records, an edit, now and then a photo."""
    heads = [h for hs in dev.lineages().values() for h in hs
             if dev.records[h].body.get("kind") == "incident"]
    for _ in range(rng.randint(1, 5)):
        if heads and rng.random() < 0.2:
            dev.edit(rng.choice(heads), {"text": "edited"})
        else:
            dev.create_record({"kind": "incident", "text": "seen at the crossing"})
    if rng.random() < 0.1:
        photo = rng.randbytes(rng.randint(200_000, 1 << 20))
        dev.create_record({"kind": "incident", "text": "photo"},
                          attachments=[("p.jpg", "image/jpeg", photo)])


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of some processes, from /proc (clock ticks → seconds)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "postgres":
                    pids.append(int(proc.name))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return pids


def client_process(pidx: int, url: str, tokens: list[str], args: argparse.Namespace,
                   think: float, barrier: Any, queue: Any) -> None:
    rng = random.Random(pidx)
    with ThreadPoolExecutor(8) as pool:  # setup: enrol this process's delegates
        devices = list(pool.map(
            lambda it: new_account(url, it[1], seed=pidx * 100_000 + it[0],
                                   verify_downloads=False, part_size=args.part_size)[0],
            enumerate(tokens)))
    for dev in devices:
        dev.stats.__init__()  # type: ignore[misc]  # count the measured phase only
        dev.stats.record_latencies = True
    failed_syncs: list[str] = []
    barrier.wait()
    t0 = time.monotonic()
    cpu0 = time.process_time()

    def delegate(dev: Device, seed: int) -> None:
        r = random.Random(seed)
        for _ in range(args.rounds):
            time.sleep(r.uniform(0, think))
            work(dev, r)
            try:
                dev.sync()
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                failed_syncs.append(type(exc).__name__ + ": " + str(exc)[:120])

    threads = [threading.Thread(target=delegate, args=(dev, rng.getrandbits(32)))
               for dev in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    barrier.wait()  # the measured phase is over for everyone
    lost = dupes = 0
    for dev in devices:  # after the run, with nobody else writing
        listing = dev.server_listing()
        on_server = Counter(env.entry_hash for env, _ in listing)
        dupes += sum(n - 1 for n in on_server.values())
        lost += sum(1 for r in dev.records.values() if r.entry_hash not in on_server)
        dev.close()
    queue.put({
        "latencies": [lat for dev in devices for lat in dev.stats.latencies],
        "attempts_failed": sum(d.stats.attempts_failed for d in devices),
        "failures": sum((d.stats.failures for d in devices), Counter()),
        "cpu": cpu,
        "status_5xx": sum(d.stats.status_5xx for d in devices),
        "failed_syncs": failed_syncs,
        "records": sum(len(d.records) for d in devices),
        "lost": lost,
        "dupes": dupes,
        "elapsed": elapsed,
    })


def run(args: argparse.Namespace, think: float) -> None:
    with database("pg") as url, tempfile.TemporaryDirectory(prefix="sp-load-") as tmp:
        invites = Invites(url)
        tokens = [invites() for _ in range(args.delegates)]
        invites.close()
        server = ServerProcess(url, stack="gunicorn", workers=args.workers, threads=args.threads,
                               config={"DATABASE_POOLING": True},
                               log_path=Path(tmp) / "gunicorn.log")
        with server:
            ctx = mp.get_context("fork")
            barrier = ctx.Barrier(args.procs + 1)
            queue = ctx.Queue()
            shares = [tokens[i :: args.procs] for i in range(args.procs)]
            procs = [ctx.Process(target=client_process, args=(i, server.url, share, args, think,
                                                               barrier, queue))
                     for i, share in enumerate(shares)]
            t_setup = time.monotonic()
            for p in procs:
                p.start()
            barrier.wait()
            t_setup = time.monotonic() - t_setup
            servers = server.worker_pids() + [server.pid]
            cpu0 = cpu_seconds(servers), cpu_seconds(postgres_pids())
            barrier.wait()
            cpu = (cpu_seconds(servers) - cpu0[0], cpu_seconds(postgres_pids()) - cpu0[1])
            results = [queue.get() for _ in procs]
            for p in procs:
                p.join()
        log = (Path(tmp) / "gunicorn.log").read_text(errors="replace").strip()
        if args.keep_log:
            Path(args.keep_log).write_text(log)
    report(args, think, results, t_setup, cpu, log)


def report(args: argparse.Namespace, think: float, results: list[dict[str, Any]],
           t_setup: float, cpu: tuple[float, float], log: str) -> None:
    lat = [(route, s, status) for r in results for (route, s, status) in r["latencies"]]
    ms = [s * 1000 for _, s, _ in lat]
    elapsed = max(r["elapsed"] for r in results)
    failed = [f for r in results for f in r["failed_syncs"]]
    errors = sum(r["attempts_failed"] for r in results) + len(failed)
    bad_status = sum(1 for _, _, st in lat if st >= 400)
    by_route: dict[str, list[float]] = defaultdict(list)
    for route, s, _ in lat:
        by_route[route].append(s * 1000)
    print(f"  d. {args.delegates} delegates x {args.rounds} syncs (pause 0-{think:g} s), "
          f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL; "
          f"{args.procs} client processes; setup (enrolment) {t_setup:.1f} s")
    print(f"     {len(lat)} requests in {elapsed:.1f} s ({len(lat) / elapsed:.0f}/s); latency "
          f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
          f"p99 {percentile(ms, 99):.0f} ms, max {max(ms):.0f} ms")
    for route, values in sorted(by_route.items(), key=lambda kv: -len(kv[1])):
        print(f"       {route:<32} n={len(values):5d}  p50 {percentile(values, 50):6.0f} ms  "
              f"p95 {percentile(values, 95):6.0f} ms")
    failures = sum((r["failures"] for r in results), Counter())
    print(f"     errors: {errors} (failed attempts retried: "
          f"{sum(r['attempts_failed'] for r in results)} {dict(failures)}; failed syncs: "
          f"{len(failed)}; 4xx answers: {bad_status})")
    client_cpu = sum(r["cpu"] for r in results)
    print(f"     CPU during the measured phase ({elapsed:.1f} s x 2 cores = {2 * elapsed:.0f} "
          f"core-s): gunicorn {cpu[0]:.1f} s, PostgreSQL {cpu[1]:.1f} s, clients "
          f"{client_cpu:.1f} s; "
          f"server CPU per request {1000 * (cpu[0] + cpu[1]) / max(1, len(lat)):.1f} ms")
    for f in failed[:5]:
        print(f"       {f}")
    print(f"     records on the phones: {sum(r['records'] for r in results)}; lost: "
          f"{sum(r['lost'] for r in results)}; duplicated: {sum(r['dupes'] for r in results)}")
    print(f"     => p95 {percentile(ms, 95):.0f} ms (goal < 300 ms), {errors} errors, "
          f"{sum(r['lost'] for r in results)} lost (goals 0, 0)")
    if log:
        print("     server log (tail):\n       " + "\n       ".join(log.splitlines()[-5:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", default="3,30",
                        help="max pause before each sync, s; a comma list runs each in turn")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--part-size", type=int, default=None)
    parser.add_argument("--keep-log", default=None, help="copy gunicorn's log to this file")
    args = parser.parse_args()
    if not os.environ.get(PG_ENV):
        if not pg_available():
            print("PostgreSQL is not installed: bench_sync_load did not run.")
            return 0
        return reexec_under_pg(sys.argv[1:])
    print(f"== {args.delegates} delegates on gunicorn + PostgreSQL", flush=True)
    for think in (float(t) for t in args.think.split(",")):
        run(args, think)
    return 0


if __name__ == "__main__":
    sys.exit(main())
