"""Restore benchmark: items/s into an empty instance for 1 and 8 workers, side by side.

A backup of a seeded stand-in A is restored with the real `lookervault restore` (a child
process) into a fresh, empty stand-in B that answers every request after `--latency` seconds
(20 ms by default, like a Looker instance over the network). Items/s counts every item the
restore wrote (created, updated, undeleted) over the run's own clock (`plan_seconds` +
`apply_seconds` of its --json report: reading both sides, planning and writing, without the
interpreter's start-up, as the extraction benchmark does); the wall time is shown beside it.
Runs alternate between worker counts; each figure is the median of `--repeats` runs, and the
ratio is taken in the same run.

    .venv/bin/python -m bench.restore_bench [--dashboards 40] [--repeats 3] [--json]
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
from dataclasses import dataclass
from pathlib import Path

from bench.extract_bench import high_water_kb
from lookervault.local.standin import Faults, SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker.extract import extract
from tests.support.looker_fixtures import sdk_env

LOOKERVAULT = str(Path(sys.executable).with_name("lookervault"))
WORKER_COUNTS = (1, 8)
WRITTEN = ("created", "updated", "undeleted")


@dataclass(frozen=True)
class Measure:
    items: int
    seconds: float
    wall_seconds: float
    peak_rss_mb: float

    @property
    def items_per_s(self) -> float:
        return self.items / self.seconds


def run_restore(backup: Path, workers: int, latency: float, workdir: Path) -> Measure:
    """One restore of `backup` into a new empty stand-in, timed from the outside."""
    with StandIn(seed=SeedSize.empty(), faults=Faults(latency_s=latency), record=False) as b:
        env = {
            **os.environ,
            **sdk_env(b),
            "XDG_STATE_HOME": str(workdir / f"state-{time.time_ns()}"),
        }
        command = [LOOKERVAULT, "restore", "--db", str(backup), "--yes", "--json"]
        command += ["--workers", str(workers)]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.monotonic()
            child = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=workdir)
            peak_kb = 0
            while child.poll() is None:
                peak_kb = max(peak_kb, high_water_kb(child.pid))
                time.sleep(0.01)
            seconds = time.monotonic() - started
            out.seek(0)
            err.seek(0)
            if child.returncode != 0:
                raise SystemExit(f"restore failed ({child.returncode}): {err.read().decode()}")
            report = json.loads(out.read())
    items = sum(n for c in report["counts"].values() for r, n in c.items() if r in WRITTEN)
    own = report["plan_seconds"] + report["apply_seconds"]
    return Measure(items=items, seconds=own, wall_seconds=seconds, peak_rss_mb=peak_kb / 1024)


def make_backup(dashboards: int, path: Path) -> None:
    with StandIn(seed=SeedSize.scaled(dashboards), record=False) as a:
        extract(path, settings=StandInSettings(a), workers=8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=40, help="size of the backed-up seed")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="restore-bench-") as tmp:
        workdir = Path(tmp)
        backup = workdir / "a.db"
        make_backup(args.dashboards, backup)
        runs: dict[int, list[Measure]] = {w: [] for w in WORKER_COUNTS}
        for _ in range(args.repeats):
            for workers in WORKER_COUNTS:
                runs[workers].append(run_restore(backup, workers, args.latency, workdir))
    medians = {
        w: Measure(
            items=m[0].items,
            seconds=statistics.median(x.seconds for x in m),
            wall_seconds=statistics.median(x.wall_seconds for x in m),
            peak_rss_mb=statistics.median(x.peak_rss_mb for x in m),
        )
        for w, m in runs.items()
    }
    base = medians[1].items_per_s
    figures = {
        "cpus": os.cpu_count(),
        "latency_s": args.latency,
        "repeats": args.repeats,
        "workers": {
            str(w): {
                "items": m.items,
                "seconds": round(m.seconds, 2),
                "wall_seconds": round(m.wall_seconds, 2),
                "items_per_s": round(m.items_per_s, 1),
                "speedup_vs_1": round(m.items_per_s / base, 2),
                "peak_rss_mb": round(m.peak_rss_mb, 1),
            }
            for w, m in medians.items()
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"machine: {os.cpu_count()} cores; latency {args.latency * 1000:.0f} ms; "
        f"median of {args.repeats} runs"
    )
    header = ("workers", "items", "seconds", "wall s", "items/s", "x vs 1", "RSS MB")
    print("".join(f"{h:>9}" for h in header))
    for workers, m in medians.items():
        print(
            f"{workers:>9}{m.items:>9}{m.seconds:>9.2f}{m.wall_seconds:>9.2f}"
            f"{m.items_per_s:>9.1f}{m.items_per_s / base:>9.2f}{m.peak_rss_mb:>9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
