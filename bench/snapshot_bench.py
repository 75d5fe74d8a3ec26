"""Snapshot benchmark: our upload and download pipeline against the obvious script, in one run.

Builds a synthetic, JSON-heavy looker.db of each `--size-mb`, starts fake-gcs-server, and runs
each side in its own child process so its peak RSS (wait4 -> ru_maxrss) is its own:

- ours: `python -m lookervault snapshot upload --source DB` and `snapshot download 1 --output X`;
- the obvious script (this file, run as `baseline-upload` / `baseline-download`), two ways:
  with Python's `gzip` module (zlib, level 6) and with GNU `gzip -6` / `gzip -d`. Upload: SQLite
  backup copy, compress to a file, `blob.upload_from_filename`. Download: `download_to_filename`
  (raw, the same object ours uploaded), then decompress to the database file.

In each run the three sides of a step go in a rotating order, and the figures are medians of
`--runs` runs. A ratio is the faster obvious script's seconds / our seconds, taken per run
(against whichever way of the obvious script was faster in that run) and then the median. MB/s
is raw database MB per wall second for every side. The obvious script reports its own phases,
so its plain upload of an already-compressed file (and plain download) is the emulator floor.
The emulator's CPU seconds during each side are read from its process (psutil).

`--compression` adds the time and object size of each compression engine level, compressing
the largest database in this process (no upload), so a user can choose a level.

    .venv/bin/python bench/snapshot_bench.py [--size-mb 200 1024] [--runs 5] [--compression]
        [--upload-chunk-mib N] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import gzip
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
LEVEL = 6
WAYS = ("zlib", "gnu")
LABELS = {"ours": "ours", "zlib": "obvious, gzip module", "gnu": "obvious, GNU gzip"}
# Distinct engine levels behind the gzip levels 1-9 (snapshot/compression.py).
COMPRESSION_LEVELS = (1, 4, 6, 7, 9)


# --- the obvious script: runs in a child process, imports nothing of ours -------------------


def _timed(phases: dict[str, float], name: str, step: Callable[[], object]) -> None:
    start = time.perf_counter()
    step()
    phases[name] = time.perf_counter() - start


def _gzip_module(source: Path, target: Path, compress: bool) -> None:
    """What ten lines of Python do: the gzip module (zlib) and shutil.copyfileobj."""
    if compress:
        with source.open("rb") as plain, gzip.open(target, "wb", compresslevel=LEVEL) as packed:
            shutil.copyfileobj(plain, packed)
    else:
        with gzip.open(source, "rb") as packed, target.open("wb") as plain:
            shutil.copyfileobj(packed, plain)


def baseline_upload(way: str, source: Path, workdir: Path, name: str) -> dict[str, float]:
    """Backup copy, compress to a file, `upload_from_filename`; phases in seconds."""
    copy = workdir / "obvious-copy.db"
    packed = workdir / "obvious-copy.db.gz"
    phases: dict[str, float] = {}

    def backup() -> None:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        dst.close()
        src.close()

    def compress() -> None:
        if way == "gnu":
            subprocess.run(["gzip", f"-{LEVEL}", "-k", str(copy)], check=True)
        else:
            _gzip_module(copy, packed, compress=True)

    def upload() -> None:
        blob = storage.Client().bucket(BUCKET).blob(name)
        blob.upload_from_filename(packed, content_type="application/gzip")

    _timed(phases, "copy", backup)
    _timed(phases, "gzip", compress)
    _timed(phases, "upload", upload)
    phases["compressed_bytes"] = packed.stat().st_size
    copy.unlink()
    packed.unlink()
    return phases


def baseline_download(way: str, name: str, workdir: Path) -> dict[str, float]:
    """`download_to_filename` (raw: no transcoding), then decompress; phases in seconds."""
    packed = workdir / "obvious-download.db.gz"
    plain = workdir / "obvious-download.db"
    phases: dict[str, float] = {}

    def download() -> None:
        blob = storage.Client().bucket(BUCKET).blob(name)
        blob.download_to_filename(packed, raw_download=True)

    def decompress() -> None:
        if way == "gnu":
            subprocess.run(["gzip", "-d", "-f", str(packed)], check=True)
        else:
            _gzip_module(packed, plain, compress=False)
            packed.unlink()

    _timed(phases, "download", download)
    _timed(phases, "gunzip", decompress)
    phases["raw_bytes"] = plain.stat().st_size
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
    runs: dict[str, list[Measure]] = field(default_factory=dict)

    def child(self, side: str, command: list[str]) -> None:
        """Run one side in its own process; wall time, its peak RSS and CPU, the emulator's CPU.

        The disk is synced first, so no side waits for the writes of the one before (the
        emulator's stored objects, the new database): ours syncs its download to disk, and
        without this its first runs also wrote back what other sides left.
        """
        os.sync()
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
        return [sys.executable, "-m", "lookervault", "snapshot", *args, "--json"]

    def obvious(self, *args: str) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), *args]

    def one_run(self, number: int) -> None:
        """Upload three ways, then download our new snapshot three ways; rotate who goes first."""
        uploads = {
            "upload ours": self.ours("upload", "--source", str(self.source)),
            **{
                f"upload {way}": self.obvious(
                    "baseline-upload",
                    way,
                    str(self.source),
                    str(self.workdir),
                    f"obvious/looker-{way}-{number}.db.gz",
                )
                for way in WAYS
            },
        }
        for side in rotated(list(uploads), number):
            self.child(side, uploads[side])
        snapshot = self.runs["upload ours"][-1].output["name"]
        ours_out = self.workdir / "ours-download.db"
        downloads = {
            "download ours": self.ours("download", "1", "--output", str(ours_out)),
            **{
                f"download {way}": self.obvious(
                    "baseline-download", way, snapshot, str(self.workdir)
                )
                for way in WAYS
            },
        }
        raw_size = self.source.stat().st_size
        for side in rotated(list(downloads), number):
            self.child(side, downloads[side])
            made = ours_out if side == "download ours" else self.workdir / "obvious-download.db"
            if made.stat().st_size != raw_size:
                raise SystemExit(f"{made} has {made.stat().st_size} bytes, expected {raw_size}")
            made.unlink()


def rotated(sides: list[str], number: int) -> list[str]:
    shift = number % len(sides)
    return sides[shift:] + sides[:shift]


@contextmanager
def emulator_env(
    workdir: Path, chunk_mib: int | None
) -> Iterator[tuple[dict[str, str], Callable[[], float]]]:
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
        if chunk_mib is not None:
            env["LOOKERVAULT_UPLOAD_CHUNK_MIB"] = str(chunk_mib)
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
        ours = bench.runs[f"{step} ours"]
        for way in WAYS:
            theirs = bench.runs[f"{step} {way}"]
            ratios = [b.seconds / a.seconds for a, b in zip(ours, theirs, strict=True)]
            sides[f"{step} {way}"]["ratio"] = round(statistics.median(ratios), 2)
        faster = [
            min(bench.runs[f"{step} {way}"][i].seconds for way in WAYS) / ours[i].seconds
            for i in range(len(ours))
        ]
        sides[f"{step} ours"]["ratio"] = round(statistics.median(faster), 2)
    phases = {
        side: {
            key: round(statistics.median(m.output[key] for m in bench.runs[side]), 2)
            for key in bench.runs[side][0].output
            if not key.endswith("bytes")
        }
        for side in bench.runs
        if "ours" not in side
    }
    return {
        "size_mb": round(size_mb, 1),
        "runs": len(bench.runs["upload ours"]),
        "sides": sides,
        "obvious_phases_s": phases,
        "compressed_mb": {
            "ours": round(bench.runs["upload ours"][0].output["compressed_size_bytes"] / MIB, 1),
            **{
                way: round(bench.runs[f"upload {way}"][0].output["compressed_bytes"] / MIB, 1)
                for way in WAYS
            },
        },
    }


def compression_table(source: Path) -> list[dict[str, Any]]:
    """Each engine level compressing the whole file in this process: seconds and size."""
    from lookervault.snapshot.compression import compressor, engine

    rows = []
    for level in COMPRESSION_LEVELS:
        deflate = compressor(level)
        size = 0
        start = time.perf_counter()
        with source.open("rb") as handle:
            while chunk := handle.read(MIB):
                size += len(deflate.compress(chunk))
        size += len(deflate.flush())
        seconds = time.perf_counter() - start
        rows.append(
            {
                "level": level,
                "engine": engine(level),
                "seconds": round(seconds, 2),
                "mb_per_s": round(source.stat().st_size / MIB / seconds, 1),
                "object_mb": round(size / MIB, 1),
            }
        )
    return rows


def print_table(figures: dict[str, Any]) -> None:
    print(
        f"{figures['date']}, {figures['cpus']} cores, load {figures['load_average_1m']}; "
        f"upload chunk {figures['upload_chunk_mib']}"
    )
    for size in figures["sizes"]:
        packed = size["compressed_mb"]
        print(
            f"\ndatabase {size['size_mb']} MiB, median of {size['runs']} runs; compressed: ours "
            f"{packed['ours']} MiB, gzip -{LEVEL} {packed['gnu']} MiB, gzip module "
            f"{packed['zlib']} MiB"
        )
        header = ("median s", 9), ("MB/s", 8), ("ratio", 7), ("RSS MB", 8), ("CPU s", 7)
        print(f"{'side':<31}" + "".join(f"{t:>{w}}" for t, w in header) + f"{'emu CPU s':>10}")
        for side, row in size["sides"].items():
            step, who = side.split(" ", 1)
            print(
                f"{step + ' ' + LABELS[who]:<31}{row['median_s']:>9.2f}{row['mb_per_s']:>8.1f}"
                f"{row['ratio']:>7.2f}{row['peak_rss_mb']:>8.1f}{row['cpu_s']:>7.2f}"
                f"{row['emulator_cpu_s']:>10.2f}"
            )
        for side, phases in size["obvious_phases_s"].items():
            step, who = side.split(" ", 1)
            print(
                f"{step} {LABELS[who]} phases (s): "
                + ", ".join(f"{k} {v:.2f}" for k, v in phases.items())
            )
    print(
        "ratio = obvious seconds / our seconds, per run, median (ours: against the faster "
        "obvious way of each run); MB/s = raw MB / wall second"
    )
    if figures.get("compression"):
        print(f"\ncompressing the {figures['sizes'][-1]['size_mb']} MiB database in-process:")
        print(f"{'level':>5} {'engine':>8} {'seconds':>8} {'MB/s':>7} {'object MB':>10}")
        for row in figures["compression"]:
            print(
                f"{row['level']:>5} {row['engine']:>8} {row['seconds']:>8.2f} "
                f"{row['mb_per_s']:>7.1f} {row['object_mb']:>10.1f}"
            )


def run_bench(
    sizes_mb: list[int], runs: int, keep: bool, chunk_mib: int | None, compression: bool
) -> dict[str, Any]:
    from lookervault.local.sample import make_sample_db

    workdir = Path(tempfile.mkdtemp(prefix="snapshot-bench-", dir="/tmp"))
    try:
        figures: dict[str, Any] = {"sizes": []}
        load_before = os.getloadavg()
        for size_mb in sizes_mb:
            folder = workdir / f"{size_mb}mb"
            folder.mkdir()
            source = make_sample_db(folder / "looker.db", size_mb * MIB, seed=1)
            with emulator_env(folder, chunk_mib) as (env, cpu):
                bench = Bench(folder, source, env, cpu)
                for number in range(runs):
                    bench.one_run(number)
            figures["sizes"].append(summarize(bench, source.stat().st_size / MIB))
            if compression and size_mb == max(sizes_mb):
                figures["compression"] = compression_table(source)
            if not keep:
                source.unlink()
        load_after = os.getloadavg()
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
        way, source, workdir, name = args[1:]
        print(json.dumps(baseline_upload(way, Path(source), Path(workdir), name)))
        return 0
    if args[:1] == ["baseline-download"]:
        way, name, workdir = args[1:]
        print(json.dumps(baseline_download(way, name, Path(workdir))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size-mb", type=int, nargs="+", default=[1024], help="database sizes (default 1024)"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per side (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and database")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--compression", action="store_true", help="also time each compression level"
    )
    parser.add_argument(
        "--upload-chunk-mib",
        type=int,
        help="experiment: run our CLI with this upload chunk size instead of the shipped one",
    )
    options = parser.parse_args(args)
    sys.path.insert(0, str(ROOT))
    figures = run_bench(
        options.size_mb, options.runs, options.keep, options.upload_chunk_mib, options.compression
    )
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
