"""Extraction benchmark: items/s for 1, 4 and 16 workers, and peak RSS against item count.

The stand-in runs in this process; each extraction is the real `lookervault extract` in a child
process, so its peak RSS (VmHWM, polled) is the extractor's alone. Throughput is measured against a
stand-in answering every request after `--latency` seconds (20 ms by default), as items per
second of the run's own clock (started_at..finished_at in the --json summary: no interpreter
start-up). Every figure is the median of `--repeats` runs, and the ratios are taken in one run.

    .venv/bin/python bench/extract_bench.py [--dashboards 100] [--repeats 3]
        [--rss-items 10000 50000] [--json]
    .venv/bin/python bench/extract_bench.py --without-lookml OTHER/.venv/bin/lookervault
        [--dashboards 2000 --tiles 15 --latency 0.15]     # what storing LookML costs
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lookervault.local.standin import Faults, SeedSize, StandIn

LOOKERVAULT = str(Path(sys.executable).with_name("lookervault"))
WORKER_COUNTS = (1, 4, 16)
MODELS_FOR_MEMORY = 60


@dataclass(frozen=True)
class Measure:
    items: int
    seconds: float
    peak_rss_mb: float

    @property
    def items_per_s(self) -> float:
        return self.items / self.seconds


def run_extract(
    standin: StandIn, workers: int, workdir: Path, lookervault: str = LOOKERVAULT
) -> Measure:
    """One `lookervault extract` child against the stand-in, into a fresh database."""
    db = workdir / f"bench-{workers}.db"
    for leftover in workdir.glob(f"{db.name}*"):
        leftover.unlink()
    env = {
        **os.environ,
        "LOOKERSDK_BASE_URL": standin.base_url,
        "LOOKERSDK_CLIENT_ID": standin.client_id,
        "LOOKERSDK_CLIENT_SECRET": standin.client_secret,
        "LOOKERSDK_VERIFY_SSL": "false",
    }
    command = [lookervault, "extract", "--db", str(db), "--workers", str(workers), "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=workdir)
        peak_kb = 0
        while child.poll() is None:
            peak_kb = max(peak_kb, high_water_kb(child.pid))
            time.sleep(0.01)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"extract failed ({child.returncode}): {err.read().decode()}")
        summary = json.loads(out.read())
    seconds = (
        datetime.fromisoformat(summary["finished_at"])
        - datetime.fromisoformat(summary["started_at"])
    ).total_seconds()
    return Measure(items=summary["total"], seconds=seconds, peak_rss_mb=peak_kb / 1024)


def high_water_kb(pid: int) -> int:
    """The process's peak RSS so far (VmHWM), 0 once it is gone.

    Polled rather than taken from wait4: a child forked from this process (which holds the
    stand-in's data) reports this process's RSS as its own maximum, however little it uses.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def median_measure(measures: list[Measure]) -> Measure:
    return Measure(
        items=measures[0].items,
        seconds=statistics.median(m.seconds for m in measures),
        peak_rss_mb=statistics.median(m.peak_rss_mb for m in measures),
    )


def seed_for(items: int) -> SeedSize:
    """A proportional seed with about `items` content items, LookML models held at 60.

    The stand-in's model sets list a random share of all models (and roles embed their model
    set), so with models growing in proportion those objects would grow with the item count
    too, and peak RSS would measure object size instead of item count.
    """
    per_dashboard = sum(StandIn(seed=SeedSize.scaled(100), record=False).counts().values()) / 100
    scaled = SeedSize.scaled(max(1, round(items / per_dashboard)))
    return dataclasses.replace(scaled, lookml_models=MODELS_FOR_MEMORY)


def throughput(dashboards: int, latency: float, repeats: int, workdir: Path) -> dict[int, Measure]:
    standin = StandIn(
        seed=SeedSize.scaled(dashboards), faults=Faults(latency_s=latency), record=False
    )
    with standin:
        runs: dict[int, list[Measure]] = {w: [] for w in WORKER_COUNTS}
        for _ in range(repeats):
            for workers in WORKER_COUNTS:
                runs[workers].append(run_extract(standin, workers, workdir))
    return {w: median_measure(m) for w, m in runs.items()}


def memory(sizes: list[int], repeats: int, workdir: Path) -> dict[int, Measure]:
    """Peak RSS of a 16-worker extraction per item count (no latency: memory is the point)."""
    found = {}
    for size in sizes:
        with StandIn(seed=seed_for(size), record=False) as standin:
            found[size] = median_measure(
                [run_extract(standin, 16, workdir) for _ in range(repeats)]
            )
    return found


def lookml_cost(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """What storing each dashboard's LookML costs an extraction: this CLI against one that
    does not ask for it (`--without-lookml`, an earlier checkout), interleaved, 16 workers,
    on a seed of `--dashboards` with `--tiles`, at `--latency`."""
    seed = SeedSize.scaled(args.dashboards, tiles=args.tiles)
    sides = {"with LookML": LOOKERVAULT, "without": args.without_lookml}
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    requests: dict[str, list[int]] = {name: [] for name in sides}
    with StandIn(seed=seed, faults=Faults(latency_s=args.latency), record=False) as standin:
        for _ in range(args.repeats):
            for name, cli in sides.items():
                before = standin.request_count()
                seconds[name].append(run_extract(standin, 16, workdir, cli).seconds)
                requests[name].append(standin.request_count() - before)
    found: dict[str, object] = {
        name: {
            "seconds": round(statistics.median(seconds[name]), 1),
            "requests": int(statistics.median(requests[name])),
        }
        for name in sides
    }
    found["time_ratio"] = round(
        statistics.median(seconds["with LookML"]) / statistics.median(seconds["without"]), 3
    )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=100, help="throughput seed size")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rss-items", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--without-lookml",
        metavar="LOOKERVAULT",
        help="only measure what LookML costs, against this CLI (one that does not fetch it)",
    )
    parser.add_argument("--tiles", type=int, default=4, help="tiles per dashboard (LookML cost)")
    args = parser.parse_args(argv)
    if args.without_lookml:
        with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
            print(json.dumps(lookml_cost(args, Path(tmp)), indent=2))
        return 0
    with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
        workdir = Path(tmp)
        speed = throughput(args.dashboards, args.latency, args.repeats, workdir)
        rss = memory(args.rss_items, args.repeats, workdir)
    base = speed[1].items_per_s
    figures = {
        "cpus": os.cpu_count(),
        "latency_s": args.latency,
        "repeats": args.repeats,
        "throughput": {
            str(w): {
                "items": m.items,
                "seconds": round(m.seconds, 2),
                "items_per_s": round(m.items_per_s, 1),
                "speedup_vs_1": round(m.items_per_s / base, 2),
                "peak_rss_mb": round(m.peak_rss_mb, 1),
            }
            for w, m in speed.items()
        },
        "memory_16_workers": {
            str(size): {
                "items": m.items,
                "items_per_s": round(m.items_per_s, 1),
                "peak_rss_mb": round(m.peak_rss_mb, 1),
            }
            for size, m in rss.items()
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"machine: {os.cpu_count()} cores; latency {args.latency * 1000:.0f} ms; "
        f"median of {args.repeats} runs"
    )
    print(f"{'workers':>8}{'items':>8}{'seconds':>9}{'items/s':>9}{'x vs 1':>8}{'RSS MB':>8}")
    for workers, m in speed.items():
        print(
            f"{workers:>8}{m.items:>8}{m.seconds:>9.2f}{m.items_per_s:>9.1f}"
            f"{m.items_per_s / base:>8.2f}{m.peak_rss_mb:>8.1f}"
        )
    print(f"{'items':>8}{'items/s':>9}{'RSS MB':>8}   (16 workers, no latency)")
    for m in rss.values():
        print(f"{m.items:>8}{m.items_per_s:>9.1f}{m.peak_rss_mb:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
