"""Restore benchmark at Looker scale: a whole instance rebuilt, and one dashboard brought back.

A seeded stand-in A (`--dashboards`, `--tiles` on average, everything else in proportion) is
extracted once. Then:

- Rebuild: the real `lookervault restore --yes --json` (a child process) writes all of it into
  a new, empty stand-in B that answers every request after `--latency` seconds (150 ms, as a
  Looker instance does for a write) and handles at most `--max-concurrent` requests at once,
  queueing the rest (as one API user of a busy instance is served). For each worker count:
  wall time (start-up included), items written per second, requests per backed-up dashboard
  (every request B received, reads included, over the number of dashboards), peak RSS.
  `--part-by-part` rebuilds with `--no-lookml-import`, to weigh the LookML route.
- One dashboard: A itself, at the same latency, loses one dashboard, and `restore --id
  dashboards:ID` brings it back; wall time from process start to exit.
- `--error-rate SHARE`: each rebuild is run twice, into a healthy B (the baseline) and into
  one that answers that share of requests 503, half of them after doing the write (the answer
  lost on the way back, as behind a proxy under load). Both must complete in one run with
  every dashboard present once; then the same command runs again and must write nothing.
  The faulty runs add the requests sent again and the creates found instead of repeated.

A is seeded as an instance that has lived a while (`--dangling`, on by default: a tile on a
deleted look, content of users who left, schedules of deleted dashboards), as the demo is.

Runs alternate between worker counts; each figure is the median of `--repeats` runs.
`--lookervault` runs another checkout's CLI against the same stand-ins (the code before a
change, for a before/after figure in one session).

    .venv/bin/python -m bench.restore_bench [--dashboards 2000] [--tiles 15] [--latency 0.15]
        [--max-concurrent 32] [--workers 8 16 32] [--repeats 3] [--part-by-part] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.extract_bench import high_water_kb
from lookervault.local.standin import Faults, SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker.extract import extract
from tests.support.looker_fixtures import sdk_env, sdk_for

LOOKERVAULT = str(Path(sys.executable).with_name("lookervault"))
WRITTEN = ("created", "updated", "undeleted")


@dataclass(frozen=True)
class Run:
    wall_seconds: float
    items: int
    requests: int
    write_requests: int
    peak_rss_mb: float
    failures: int
    error_rate: float = 0.0
    repeated: int = 0
    adopted: int = 0
    dashboards: int = 0
    """Dashboards in B afterwards, each counted once by folder and title."""
    duplicates: int = 0
    rerun_writes: int = 0


def restore(
    lookervault: str, into: StandIn, args: list[str], workdir: Path, state: Path
) -> tuple[dict[str, Any], float, float]:
    """One `lookervault restore ... --yes --json` child: its report, wall seconds, peak RSS MB."""
    env = {**os.environ, **sdk_env(into), "LOOKERVAULT_STATE_DIR": str(state)}
    command = [lookervault, "restore", *args, "--yes", "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=workdir)
        peak_kb = 0
        while child.poll() is None:
            peak_kb = max(peak_kb, high_water_kb(child.pid))
            time.sleep(0.05)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        report = json.loads(out.read() or b"{}")
        if child.returncode not in (0, 1) or not report:
            raise SystemExit(f"restore failed ({child.returncode}): {err.read().decode()}")
    return report, wall, peak_kb / 1024


def rebuild(
    lookervault: str,
    backup: Path,
    workers: int,
    args: argparse.Namespace,
    workdir: Path,
    error_rate: float = 0.0,
) -> Run:
    faults = Faults(
        latency_s=args.latency, error_rate=error_rate, errors_after_write=0.5, error_seed=workers
    )
    empty = SeedSize.empty()
    with StandIn(
        seed=empty, faults=faults, record=False, max_concurrent_requests=args.max_concurrent
    ) as b:
        before = b.request_count()
        state = workdir / f"state-{time.time_ns()}"
        route = ["--no-lookml-import"] if args.part_by_part else []
        command = ["--db", str(backup), "--workers", str(workers), *route]
        report, wall, peak = restore(lookervault, b, command, workdir, state)
        requests = b.request_count() - before
        for failure in report["failures"]:
            print(f"failed: {failure}", file=sys.stderr, flush=True)
        placed = [(d["folder_id"], d["title"], d["deleted"]) for d in b.items("dashboards")]
        again: dict[str, Any] = {"write_requests": -1}
        if error_rate:
            again, _, _ = restore(lookervault, b, command, workdir, state)
    items = sum(n for c in report["counts"].values() for r, n in c.items() if r in WRITTEN)
    return Run(
        wall,
        items,
        requests,
        report["write_requests"],
        peak,
        len(report["failures"]),
        error_rate,
        report.get("repeated_requests", 0),
        report.get("adopted", 0),
        len(set(placed)),
        len(placed) - len(set(placed)),
        again.get("write_requests", 0),  # a plan with nothing to write has none
    )


def one_dashboard(
    lookervault: str, a: StandIn, backup: Path, workdir: Path, repeats: int
) -> list[float]:
    """Walls of `restore --id dashboards:ID` into A after that dashboard was deleted there."""
    sdk = sdk_for(a)
    state = workdir / "state-one"
    source_id = next(d["id"] for d in a.items("dashboards") if not d["deleted"])
    target_id = source_id
    walls = []
    for _ in range(repeats):
        sdk.delete_dashboard(target_id)
        args = ["--db", str(backup), "--id", f"dashboards:{source_id}"]
        report, wall, _ = restore(lookervault, a, args, workdir, state)
        target_id = next(i["target_id"] for i in report["items"] if i["type"] == "dashboards")
        walls.append(wall)
    return walls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=2000, help="size of the backed-up seed")
    parser.add_argument("--tiles", type=int, default=15, help="tiles per dashboard, on average")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per request")
    parser.add_argument("--max-concurrent", type=int, default=32, help="requests at once")
    parser.add_argument("--workers", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lookervault", default=LOOKERVAULT, help="the CLI to measure")
    parser.add_argument(
        "--part-by-part",
        action="store_true",
        help="rebuild with --no-lookml-import (new dashboards written part by part)",
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="also rebuild into a B that answers this share of requests 503, half after the write",
    )
    parser.add_argument(
        "--dangling",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="seed A with dangling references, as an aged instance holds them",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    faulty: dict[int, list[Run]] = {w: [] for w in args.workers}
    runs: dict[int, list[Run]] = {w: [] for w in args.workers}
    with tempfile.TemporaryDirectory(prefix="restore-bench-") as tmp:
        workdir = Path(tmp)
        backup = workdir / "a.db"
        seed = SeedSize.scaled(args.dashboards, tiles=args.tiles)
        with StandIn(
            seed=seed,
            record=False,
            max_concurrent_requests=args.max_concurrent,
            dangling=args.dangling,
        ) as a:
            extract(backup, settings=StandInSettings(a), workers=8)
            a.faults.latency_s = args.latency
            walls = one_dashboard(args.lookervault, a, backup, workdir, args.repeats)
        print(f"one dashboard: {walls}", file=sys.stderr, flush=True)
        for _ in range(args.repeats):
            for workers in args.workers:
                runs[workers].append(rebuild(args.lookervault, backup, workers, args, workdir))
                print(f"{workers} workers: {runs[workers][-1]}", file=sys.stderr, flush=True)
                if args.error_rate:
                    run = rebuild(args.lookervault, backup, workers, args, workdir, args.error_rate)
                    faulty[workers].append(run)
                    print(f"{workers} workers, faults: {run}", file=sys.stderr, flush=True)
    figures = {
        "cpus": os.cpu_count(),
        "dashboards": args.dashboards,
        "tiles": args.tiles,
        "latency_s": args.latency,
        "max_concurrent": args.max_concurrent,
        "repeats": args.repeats,
        "part_by_part": args.part_by_part,
        "one_dashboard_wall_s": round(statistics.median(walls), 2),
        "dangling": args.dangling,
        "error_rate": args.error_rate,
        "rebuild": {str(w): _median(m, args.dashboards) for w, m in runs.items()},
        "runs": {str(w): [asdict(r) for r in m] for w, m in runs.items()},
    }
    if args.error_rate:
        figures["faulty"] = {str(w): _median(m, args.dashboards) for w, m in faulty.items()}
        figures["faulty_runs"] = {str(w): [asdict(r) for r in m] for w, m in faulty.items()}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"machine: {os.cpu_count()} cores; {args.dashboards} dashboards, {args.tiles} tiles on "
        f"average; latency {args.latency * 1000:.0f} ms; at most {args.max_concurrent} requests "
        f"at once; median of {args.repeats}"
    )
    print(f"one dashboard: {figures['one_dashboard_wall_s']} s wall")
    header = ("workers", "wall s", "items", "items/s", "req/dash", "writes", "RSS MB", "failed")
    print("".join(f"{h:>10}" for h in header))
    for workers, m in figures["rebuild"].items():
        print(
            f"{workers:>10}{m['wall_seconds']:>10.1f}{m['items']:>10}{m['items_per_s']:>10.1f}"
            f"{m['requests_per_dashboard']:>10.1f}{m['write_requests']:>10}"
            f"{m['peak_rss_mb']:>10.1f}{m['failures']:>10}"
        )
    if args.error_rate:
        print(f"with {args.error_rate:.0%} of requests answered 503 (half after the write):")
        header = ("workers", "wall s", "x base", "requests", "repeated", "adopted", "failed")
        print("".join(f"{h:>10}" for h in header) + "  dashboards  twice  rerun writes")
        for workers, m in figures["faulty"].items():
            base = figures["rebuild"][workers]["wall_seconds"]
            print(
                f"{workers:>10}{m['wall_seconds']:>10.1f}{m['wall_seconds'] / base:>10.2f}"
                f"{m['requests']:>10}{m['repeated']:>10}{m['adopted']:>10}{m['failures']:>10}"
                f"{m['dashboards']:>12}{m['duplicates']:>7}{m['rerun_writes']:>14}"
            )
    return 0


def _median(runs: list[Run], dashboards: int) -> dict[str, Any]:
    wall = statistics.median(r.wall_seconds for r in runs)
    items = runs[0].items
    return {
        "wall_seconds": round(wall, 1),
        "items": items,
        "items_per_s": round(items / wall, 1),
        "requests_per_dashboard": round(
            statistics.median(r.requests for r in runs) / dashboards, 1
        ),
        "write_requests": int(statistics.median(r.write_requests for r in runs)),
        "peak_rss_mb": round(statistics.median(r.peak_rss_mb for r in runs), 1),
        "failures": max(r.failures for r in runs),
        "requests": int(statistics.median(r.requests for r in runs)),
        "repeated": int(statistics.median(r.repeated for r in runs)),
        "adopted": int(statistics.median(r.adopted for r in runs)),
        "dashboards": min(r.dashboards for r in runs),
        "duplicates": max(r.duplicates for r in runs),
        "rerun_writes": max(r.rerun_writes for r in runs),
    }


if __name__ == "__main__":
    raise SystemExit(main())
