"""Snapshot benchmark: our upload and download pipeline against the obvious script, in one run.

Builds a synthetic, JSON-heavy looker.db of `--size-mb`, starts fake-gcs-server, and runs each
side in its own child process so its peak RSS (wait4 -> ru_maxrss) is its own:

- ours: `python -m lookervault snapshot upload --source DB` and `snapshot download 1 --output X`;
- the obvious script (this file, run as `baseline-upload` / `baseline-download`): SQLite backup
  copy, `gzip -6 -k` to a file, `blob.upload_from_filename`; `download_to_filename` (raw, the
  same object ours uploaded) then `gzip -d`.

Sides alternate which goes first in each run, and the figures are medians of `--runs` runs;
ratios are obvious-script seconds / our seconds, taken per run and then the median. MB/s is
raw database MB per wall second for both sides. The obvious script reports its own phases, so
its plain upload of an already-compressed file (and plain download) is the emulator floor.
The emulator's CPU seconds during each side are read from its process (psutil).

    .venv/bin/python bench/snapshot_bench.py [--size-mb 1024] [--runs 3] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
import psutil  # type: ignore[import-untyped, unused-ignore]

MIB = 1024 * 1024
BUCKET = "lookervault-bench"
ROOT = Path(__file__).resolve().parents[1]
# `--upload-chunk-mib` experiment: our CLI with the upload chunk size replaced, nothing else.
CHUNK_OVERRIDE = (
    "import sys; import lookervault.snapshot.upload as upload; "
    "upload.UPLOAD_CHUNK_SIZE = int(sys.argv[1]) * 1024 * 1024; "
    "from lookervault.cli import main; sys.exit(main(sys.argv[2:]))"
)


# --- the obvious script: runs in a child process, imports nothing of ours -------------------


def _timed(phases: dict[str, float], name: str, step: Callable[[], object]) -> None:
    start = time.perf_counter()
    step()
    phases[name] = time.perf_counter() - start


def baseline_upload(source: Path, workdir: Path, bucket: str, name: str) -> dict[str, float]:
    """Backup copy, `gzip -6 -k` to a file, `upload_from_filename`; phases in seconds."""
    copy = workdir / "obvious-copy.db"
    packed = workdir / "obvious-copy.db.gz"
    phases: dict[str, float] = {}

    def backup() -> None:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        dst.close()
        src.close()

    def upload() -> None:
        blob = storage.Client().bucket(bucket).blob(name)
        blob.upload_from_filename(packed, content_type="application/gzip")

    _timed(phases, "copy", backup)
    _timed(phases, "gzip", lambda: subprocess.run(["gzip", "-6", "-k", str(copy)], check=True))
    _timed(phases, "upload", upload)
    phases["compressed_bytes"] = packed.stat().st_size
    copy.unlink()
    packed.unlink()
    return phases


def baseline_download(bucket: str, name: str, workdir: Path) -> dict[str, float]:
    """`download_to_filename` (raw: no transcoding) then `gzip -d`; phases in seconds."""
    packed = workdir / "obvious-download.db.gz"
    phases: dict[str, float] = {}

    def download() -> None:
        blob = storage.Client().bucket(bucket).blob(name)
        blob.download_to_filename(packed, raw_download=True)

    _timed(phases, "download", download)
    _timed(phases, "gunzip", lambda: subprocess.run(["gzip", "-d", "-f", str(packed)], check=True))
    phases["raw_bytes"] = packed.with_suffix("").stat().st_size
    return phases


# --- the harness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss_mb: float
    cpu_s: float
    emulator_cpu_s: float
    output: dict[str, Any] = field(default_factory=dict)


@dataclass
class Bench:
    workdir: Path
    source: Path
    env: dict[str, str]
    emulator_cpu: Callable[[], float]
    chunk_mib: int | None = None
    runs: dict[str, list[Measure]] = field(default_factory=dict)

    def child(self, side: str, command: list[str]) -> None:
        """Run one side in its own process; wall time, its peak RSS and CPU, the emulator's CPU."""
        emulator_before = self.emulator_cpu()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            process = subprocess.Popen(command, env=self.env, stdout=out, stderr=err, cwd=ROOT)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                err.seek(0)
                raise SystemExit(f"{side} failed: {err.read().decode()}")
            out.seek(0)
            output = json.loads(out.read())
        measure = Measure(
            seconds,
            usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime,
            self.emulator_cpu() - emulator_before,
            output,
        )
        self.runs.setdefault(side, []).append(measure)

    def ours(self, *args: str) -> list[str]:
        command = ["snapshot", *args, "--json"]
        if self.chunk_mib is None:
            return [sys.executable, "-m", "lookervault", *command]
        return [sys.executable, "-c", CHUNK_OVERRIDE, str(self.chunk_mib), *command]

    def obvious(self, *args: str) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), *args]

    def one_run(self, number: int) -> None:
        """Upload both ways, then download our new snapshot both ways; alternate who goes first."""
        ours_first = number % 2 == 0
        obvious_name = f"obvious/looker-{number}.db.gz"
        upload_ours = ("upload ours", self.ours("upload", "--source", str(self.source)))
        upload_obvious = (
            "upload obvious",
            self.obvious("baseline-upload", str(self.source), str(self.workdir), obvious_name),
        )
        for side, command in (
            (upload_ours, upload_obvious) if ours_first else (upload_obvious, upload_ours)
        ):
            self.child(side, command)
        snapshot = self.runs["upload ours"][-1].output["name"]
        ours_out = self.workdir / "ours-download.db"
        download_ours = ("download ours", self.ours("download", "1", "--output", str(ours_out)))
        download_obvious = (
            "download obvious",
            self.obvious("baseline-download", snapshot, str(self.workdir)),
        )
        for side, command in (
            (download_ours, download_obvious) if ours_first else (download_obvious, download_ours)
        ):
            self.child(side, command)
        obvious_out = self.workdir / "obvious-download.db"
        raw_size = self.source.stat().st_size
        for made in (ours_out, obvious_out):
            if made.stat().st_size != raw_size:
                raise SystemExit(f"{made} has {made.stat().st_size} bytes, expected {raw_size}")
            made.unlink()


@contextmanager
def emulator_env(workdir: Path) -> Iterator[tuple[dict[str, str], Callable[[], float]]]:
    """fake-gcs-server with our bucket, the children's environment, and the emulator's CPU."""
    from tests.support.gcs_emulator import binary_emulator

    with binary_emulator() as emulator:
        process = next(child for child in psutil.Process().children() if "fake-gcs" in child.name())
        config = workdir / "empty.toml"
        config.write_text("")
        (workdir / "state").mkdir()
        env = {
            **os.environ,
            "STORAGE_EMULATOR_HOST": emulator.url,
            "LOOKERVAULT_BUCKET": BUCKET,
            "LOOKERVAULT_CONFIG": str(config),
            "XDG_STATE_HOME": str(workdir / "state"),
        }
        os.environ["STORAGE_EMULATOR_HOST"] = emulator.url
        storage.Client(project="bench").create_bucket(BUCKET)

        def cpu() -> float:
            times = process.cpu_times()
            return float(times.user + times.system)

        yield env, cpu


def summarize(bench: Bench, size_mb: float) -> dict[str, Any]:
    sides: dict[str, Any] = {}
    for side, measures in bench.runs.items():
        seconds = statistics.median(m.seconds for m in measures)
        sides[side] = {
            "median_s": round(seconds, 2),
            "runs_s": [round(m.seconds, 2) for m in measures],
            "mb_per_s": round(size_mb / seconds, 1),
            "peak_rss_mb": round(max(m.peak_rss_mb for m in measures), 1),
            "cpu_s": round(statistics.median(m.cpu_s for m in measures), 2),
            "emulator_cpu_s": round(statistics.median(m.emulator_cpu_s for m in measures), 2),
        }
    for step in ("upload", "download"):
        ours, obvious = bench.runs[f"{step} ours"], bench.runs[f"{step} obvious"]
        ratios = [b.seconds / a.seconds for a, b in zip(ours, obvious, strict=True)]
        sides[f"{step} ours"]["ratio"] = round(statistics.median(ratios), 2)
        sides[f"{step} obvious"]["ratio"] = 1.0
    phases = {
        side: {
            key: round(statistics.median(m.output[key] for m in bench.runs[side]), 2)
            for key in bench.runs[side][0].output
            if not key.endswith("bytes")
        }
        for side in ("upload obvious", "download obvious")
    }
    ours_upload = bench.runs["upload ours"][0].output
    return {
        "size_mb": round(size_mb, 1),
        "runs": len(bench.runs["upload ours"]),
        "sides": sides,
        "obvious_phases_s": phases,
        "compressed_mb": {
            "ours": round(ours_upload["compressed_size_bytes"] / MIB, 1),
            "obvious": round(bench.runs["upload obvious"][0].output["compressed_bytes"] / MIB, 1),
        },
    }


def print_table(figures: dict[str, Any]) -> None:
    print(
        f"{figures['date']}, {figures['cpus']} cores, load {figures['load_average_1m']}; "
        f"upload chunk {figures['upload_chunk_mib']}"
    )
    packed = figures["compressed_mb"]
    print(
        f"database {figures['size_mb']} MiB, median of {figures['runs']} runs; compressed "
        f"ours {packed['ours']} MiB, gzip -6 {packed['obvious']} MiB"
    )
    header = ("median s", 9), ("MB/s", 8), ("ratio", 7), ("RSS MB", 8), ("CPU s", 7)
    print(f"{'side':<18}" + "".join(f"{t:>{w}}" for t, w in header) + f"{'emu CPU s':>10}")
    for side, row in figures["sides"].items():
        print(
            f"{side:<18}{row['median_s']:>9.2f}{row['mb_per_s']:>8.1f}{row['ratio']:>7.2f}"
            f"{row['peak_rss_mb']:>8.1f}{row['cpu_s']:>7.2f}{row['emulator_cpu_s']:>10.2f}"
        )
    for side, phases in figures["obvious_phases_s"].items():
        print(f"{side} phases (s): " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()))
    print("ratio = obvious seconds / our seconds (per run, median); MB/s = raw MB / wall second")


def run_bench(size_mb: int, runs: int, keep: bool, chunk_mib: int | None) -> dict[str, Any]:
    from lookervault.local.sample import make_sample_db

    workdir = Path(tempfile.mkdtemp(prefix="snapshot-bench-", dir="/tmp"))
    try:
        source = make_sample_db(workdir / "looker.db", size_mb * MIB, seed=1)
        with emulator_env(workdir) as (env, cpu):
            bench = Bench(workdir, source, env, cpu, chunk_mib)
            load_before = os.getloadavg()
            for number in range(runs):
                bench.one_run(number)
            load_after = os.getloadavg()
        figures = summarize(bench, source.stat().st_size / MIB)
        figures["date"] = datetime.now(UTC).isoformat(timespec="seconds")
        figures["cpus"] = os.cpu_count()
        figures["load_average_1m"] = [round(load_before[0], 2), round(load_after[0], 2)]
        figures["upload_chunk_mib"] = chunk_mib or "as shipped"
        return figures
    finally:
        if keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["baseline-upload"]:
        source, workdir, name = args[1:]
        print(json.dumps(baseline_upload(Path(source), Path(workdir), BUCKET, name)))
        return 0
    if args[:1] == ["baseline-download"]:
        name, workdir = args[1:]
        print(json.dumps(baseline_download(BUCKET, name, Path(workdir))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="database size (default 1024)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and database")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--upload-chunk-mib",
        type=int,
        help="experiment: run our CLI with this upload chunk size instead of the shipped one",
    )
    options = parser.parse_args(args)
    sys.path.insert(0, str(ROOT))
    figures = run_bench(options.size_mb, options.runs, options.keep, options.upload_chunk_mib)
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
