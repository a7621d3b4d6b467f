"""Sync benchmarks (issue 5 figures). Run: .venv/bin/python bench/bench_sync.py [--only a,b,c]

Against the real app on gunicorn (1 worker, gthread, 4 threads, pooled database connections:
the production stack) over
loopback, driven by the Python sync client (tests/support/sync_client.py). Once on SQLite, then
again on a throwaway PostgreSQL cluster (the script re-executes itself under
tools/pg-throwaway.sh; ``--db sqlite`` or ``--db pg`` runs one).

a. Sync of 100 MiB of attachments (4 × 25 MiB, already encrypted, as on a phone) ÷ a raw
   streamed upload of the same ciphertext bytes to the same stack: one PUT with Content-Length
   to a WSGI app that reads the body and discards it (tests/support/serve.py:raw_sink_app), on
   the same gunicorn settings. The app cannot host that baseline route, so it is a second
   gunicorn process. Also shown: the sink with per-chunk SHA-256 (the least keyless checking
   the real endpoint must do), the sink fed the same 1 MiB parts, and the sink storing the
   chunks as rows of the same database in 1 MiB transactions (the storage design's floor).
   Goal ≥ 0.5×.
b. Server memory growth during a 1 GiB attachment upload (and its download by a second device):
   VmRSS of the gunicorn worker sampled every 10 ms, peak − value before. Goal ≤ 64 MiB.
c. Delta sync (push 1 new record, pull finds nothing new) for an account with 10,000 stored
   records ÷ one with 10. Goal ≤ 1.5×.

Medians of several runs; every ratio's two sides are measured in the same run. No assertions:
the numbers go to docs/PERFORMANCE.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "crypto")]
# Line-buffered: the PostgreSQL pass is a child process writing to the same stream.
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

import requests  # noqa: E402

from tests.support.bench import (  # noqa: E402
    PG_ENV,
    Invites,
    RssSampler,
    database,
    median,
    pg_available,
    reexec_under_pg,
)
from tests.support.serve import ServerProcess  # noqa: E402
from tests.support.sync_client import new_account  # noqa: E402

MiB = 1 << 20
PART_SIZE: int | None = None  # --part-size; None = the server's


def write_random(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 4 * MiB)
            f.write(os.urandom(n))
            left -= n
    return path


def gunicorn(url: str, tmp: Path, name: str, **kwargs: object) -> ServerProcess:
    # A pooled engine, as in production (TestingConfig's NullPool reconnects per transaction).
    return ServerProcess(url, stack="gunicorn", workers=1, threads=4,
                         config={"DATABASE_POOLING": True},
                         log_path=tmp / f"{name}.log", **kwargs)  # type: ignore[arg-type]


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# -- a ---------------------------------------------------------------------------------------

def bench_throughput(url: str, tmp: Path, runs: int = 3) -> None:
    n_files, file_size = 4, 25 * MiB
    invites = Invites(url)
    plain = write_random(tmp / "plain-25.bin", file_size)
    with gunicorn(url, tmp, "app") as app, gunicorn(
            url, tmp, "sink", app="tests.support.serve:raw_sink_app") as sink:
        (dev,) = new_account(app.url, invites(), store_dir=tmp / "dev-a", verify_downloads=False,
                             part_size=PART_SIZE)
        http = requests.Session()
        http.trust_env = False
        rows: dict[str, list[float]] = {k: [] for k in ("encrypt", "sync", "stream", "hash",
                                                         "parts", "store")}
        for _ in range(runs):
            # The phone encrypted the files when they were captured; only the sync is timed.
            t0 = time.perf_counter()
            for k in range(n_files):
                dev.create_record({"kind": "incident", "text": f"video {k}"},
                                  attachments=[(f"v{k}.mp4", "video/mp4", plain)])
            rows["encrypt"].append(time.perf_counter() - t0)
            pending = [dev.attachments[a.aid] for r in dev.pending() for a in r.header.att]
            concat = tmp / "concat.bin"
            with open(concat, "wb") as out:
                for att in pending:
                    with att.blob.open() as f:
                        shutil.copyfileobj(f, out, 4 * MiB)
            total = concat.stat().st_size
            part = min(int(dev.server_info["part_size"]), PART_SIZE or 1 << 62)

            rows["sync"].append(timed(dev.sync))

            def stream(query: str = "") -> None:
                with open(concat, "rb") as f:
                    http.put(f"{sink.url}/raw{query}", data=f, headers={
                        "Content-Type": "application/octet-stream"}).raise_for_status()

            def parts() -> None:
                with open(concat, "rb") as f:
                    for off in range(0, total, part):
                        http.put(f"{sink.url}/raw?offset={off}", data=f.read(part),
                                 headers={"Content-Type": "application/octet-stream"}
                                 ).raise_for_status()

            rows["stream"].append(timed(stream))
            rows["hash"].append(timed(lambda: stream("?hash=1")))
            rows["parts"].append(timed(parts))
            rows["store"].append(timed(lambda: stream("?store=1")))
        http.close()
        dev.close()
    invites.close()
    med = {k: median(v) for k, v in rows.items()}
    mib = total / MiB
    print(f"  a. {mib:.1f} MiB of attachment ciphertext ({n_files} files), median of {runs}")
    for key, label in (("stream", "raw streamed PUT, body discarded (baseline)"),
                       ("hash", "raw streamed PUT + SHA-256 per chunk"),
                       ("parts", "raw PUTs of the same 1 MiB parts"),
                       ("store", "raw streamed PUT stored as chunk rows, 1 MiB txns"),
                       ("sync", "Sync now (uploads + record push + pull)")):
        print(f"     {label:<48} {med[key] * 1000:8.0f} ms  {mib / med[key]:7.1f} MiB/s")
    print(f"     client encryption of the files (not timed above)  {med['encrypt'] * 1000:8.0f} ms")
    print(f"     => sync ÷ raw streamed upload = {med['stream'] / med['sync']:.2f}x "
          "(goal >= 0.5x); "
          f"÷ raw parts = {med['parts'] / med['sync']:.2f}x; ÷ raw + hash = "
          f"{med['hash'] / med['sync']:.2f}x; ÷ raw + stored = {med['store'] / med['sync']:.2f}x")


# -- b ---------------------------------------------------------------------------------------

def bench_memory(url: str, tmp: Path, size: int = 1024 * MiB) -> None:
    invites = Invites(url)
    plain = write_random(tmp / "plain-big.bin", size)
    with gunicorn(url, tmp, "app-mem") as app:
        a, b = new_account(app.url, invites(), devices=2, store_dir=tmp / "dev-b",
                           part_size=PART_SIZE)
        b.store_dir = tmp / "dev-b2"
        # Warm up the worker (imports, first connections, a 2 MiB upload and download).
        a.create_record({"kind": "incident"}, attachments=[("w", "x/y", os.urandom(2 * MiB))])
        a.sync()
        b.sync()
        rid = a.create_record({"kind": "incident", "text": "big"},
                              attachments=[("big.mp4", "video/mp4", plain)])
        plain.unlink()
        ct_len = a.records[rid].header.att[0].ct_len
        workers = app.worker_pids
        sampler = RssSampler(workers)
        before = sampler.current_kib()
        with sampler:
            t_up = timed(a.sync)
        up_peak = sampler.peak_kib
        after_up = sampler.current_kib()
        sampler = RssSampler(workers)
        with sampler:
            t_down = timed(b.sync)  # downloads (and decrypts, to check) the 1 GiB
        down_peak = sampler.peak_kib
        a.close()
        b.close()
    invites.close()
    print(f"  b. {ct_len / MiB:.0f} MiB attachment: upload {t_up:.1f} s "
          f"({ct_len / MiB / t_up:.0f} MiB/s), download + verify {t_down:.1f} s")
    print(f"     worker RSS before {before / 1024:.1f} MiB, peak during upload "
          f"{up_peak / 1024:.1f} MiB, after {after_up / 1024:.1f} MiB, peak during download "
          f"{down_peak / 1024:.1f} MiB")
    print(f"     => growth during the upload {(up_peak - before) / 1024:.1f} MiB, during the "
          f"download {(down_peak - before) / 1024:.1f} MiB (goal <= 64 MiB)")


# -- c ---------------------------------------------------------------------------------------

def bench_delta(url: str, tmp: Path, big: int = 10_000, small: int = 10, runs: int = 30) -> None:
    invites = Invites(url)
    with gunicorn(url, tmp, "app-delta") as app:
        def account(n: int):  # type: ignore[no-untyped-def]
            (dev,) = new_account(app.url, invites(), verify_downloads=False)
            for k in range(n - len(dev.records)):
                dev.create_record({"kind": "incident", "text": f"note {k}"})
            dev.sync()
            return dev

        def delta(dev) -> float:  # type: ignore[no-untyped-def]
            dev.create_record({"kind": "incident", "text": "one more"})
            return timed(dev.sync)

        small_dev = account(small)
        for _ in range(5):
            delta(small_dev)  # warm up
        alone = [delta(small_dev) for _ in range(runs)]
        t0 = time.perf_counter()
        big_dev = account(big)
        t_fill = time.perf_counter() - t0
        for _ in range(5):
            delta(big_dev)
        with_big, with_small = [], []
        for _ in range(runs):  # interleaved, so drift hits both sides alike
            with_big.append(delta(big_dev))
            with_small.append(delta(small_dev))
        small_dev.close()
        big_dev.close()
    invites.close()
    print(f"  c. delta sync (push 1 record, pull nothing new), median of {runs}; storing the "
          f"{big:,} records took {t_fill:.1f} s")
    for label, values in ((f"account with {small} records, alone in the database", alone),
                          (f"account with {small} records, next to {big:,}", with_small),
                          (f"account with {big:,} records", with_big)):
        print(f"     {label:<50} {median(values) * 1000:6.1f} ms")
    print(f"     => {big:,} ÷ {small} = {median(with_big) / median(with_small):.2f}x "
          f"(÷ alone: {median(with_big) / median(alone):.2f}x) (goal <= 1.5x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("both", "sqlite", "pg"), default="both")
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--gib", type=float, default=1.0, help="size of the b. upload")
    parser.add_argument("--part-size", type=int, default=None,
                        help="client part size in bytes (default: the server's part_size)")
    args = parser.parse_args()
    global PART_SIZE
    PART_SIZE = args.part_size
    kinds = ["sqlite", "pg"] if args.db == "both" else [args.db]
    status = 0
    for kind in kinds:
        if kind == "pg" and not os.environ.get(PG_ENV):
            if not pg_available():
                print("PostgreSQL is not installed: the PostgreSQL pass did not run.")
                continue
            status |= reexec_under_pg(["--db", "pg", "--only", args.only, "--gib", str(args.gib)]
                                      + (["--part-size", str(args.part_size)]
                                         if args.part_size else []))
            continue
        print(f"== sync benchmarks on {'PostgreSQL' if kind == 'pg' else 'SQLite'}", flush=True)
        with database(kind) as url, tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
            figures = {"a": lambda: bench_throughput(url, Path(tmp)),
                       "b": lambda: bench_memory(url, Path(tmp), int(args.gib * 1024) * MiB),
                       "c": lambda: bench_delta(url, Path(tmp))}
            for name, figure in figures.items():
                if name not in args.only:
                    continue
                try:
                    figure()
                except Exception as exc:  # noqa: BLE001 - report it, run the other figures
                    print(f"  {name}. FAILED: {exc!r}")
                    status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
