"""Download: raw ranges -> CRC32C -> gunzip -> size/SHA-256 -> (quick_check) -> rename.

Everything lands in a temporary file beside the destination; only a fully verified file is
renamed over it. On any failure the destination is untouched and the temporary file is gone.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import google.cloud.storage as storage
from google.api_core.retry import Retry

from lookervault.errors import IntegrityError, RuntimeFailure, UsageError
from lookervault.gcs import retry_policy, storage_errors
from lookervault.snapshot.catalog import Snapshot
from lookervault.snapshot.compression import decompressor
from lookervault.snapshot.integrity import Digest, Hasher, sqlite_problems
from lookervault.snapshot.upload import META

_RANGE = 8 * 1024 * 1024  # compressed bytes per ranged read
_READERS = 2  # ranged reads in flight
_BLOCK = 128 * 1024  # compressed bytes per inflate call
_PIECE = 256 * 1024  # at most this many raw bytes per inflate result, so buffers stay in cache
_BATCH = 1024 * 1024  # raw bytes handed to the writer at once
_QUEUE_DEPTH = 4
_SYNC_EVERY = 64 * 1024 * 1024  # raw bytes written between two flushes to disk
_END = None


@dataclass(frozen=True)
class DownloadResult:
    name: str
    destination: Path
    raw: Digest
    compressed_size: int
    verified_against_metadata: bool
    sqlite_checked: bool


class _Stage:
    """A thread that applies `work` to each item put, in order. The first error is kept
    (the items after it are dropped) and raised again by `finish`, in the caller's thread."""

    def __init__(self, work: Callable[[Any], None], name: str) -> None:
        self.error: BaseException | None = None
        self._work = work
        self._items: queue.Queue[Any] = queue.Queue(_QUEUE_DEPTH)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._items.get()) is not _END:
            if self.error is None:
                try:
                    self._work(item)
                except BaseException as exc:
                    self.error = exc

    def put(self, item: object) -> None:
        if self.error is None:
            self._items.put(item)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._items.put(_END)
            self._thread.join()

    def finish(self) -> None:
        self.stop()
        if self.error is not None:
            raise self.error


class _GunzipSink:
    """Where the ranged reads of the object go, in order.

    Each range is checksummed here and split into blocks for an inflating thread; a writing
    thread hashes and writes the raw bytes, while a third flushes what was written to disk.
    The work of all of them (the HTTP reads included) is done outside the GIL, so it spreads
    over the cores.
    """

    def __init__(
        self, out: BinaryIO, progress: Callable[[int], None] | None, raw_crc32c: bool
    ) -> None:
        self.compressed = Hasher(with_sha256=False)
        self.raw = Hasher(with_crc32c=raw_crc32c)
        self.gzip_error: str | None = None
        self._out = out
        self._progress = progress
        self._inflate = decompressor()
        self._batch: list[bytes] = []
        self._batched = 0
        self._unsynced = 0
        self._syncer = _Stage(lambda _: os.fdatasync(out.fileno()), "raw-syncer")
        self._writer = _Stage(self._write_raw, "raw-writer")
        self._inflater = _Stage(self._inflate_block, "inflater")

    def __enter__(self) -> _GunzipSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for stage in (self._inflater, self._writer, self._syncer):
            stage.stop()

    def write(self, data: bytes) -> None:
        self.compressed.update(data)
        view = memoryview(data)  # blocks are views into the range, not copies
        for start in range(0, len(data), _BLOCK):
            self._inflater.put(view[start : start + _BLOCK])
        if self._progress:
            self._progress(len(data))

    def _inflate_block(self, block: memoryview) -> None:
        """Inflate, remembering (not raising) a bad stream so the CRC32C check speaks first."""
        if self.gzip_error is not None:
            return
        try:
            raw = self._inflate.decompress(block, _PIECE)
            while raw:
                self._add(raw)
                raw = self._inflate.decompress(self._inflate.unconsumed_tail, _PIECE)
        except Exception as exc:
            self.gzip_error = f"not a valid gzip stream ({exc})"
            return
        if self._inflate.unused_data:
            self.gzip_error = "trailing data after the gzip stream"

    def _add(self, raw: bytes) -> None:
        self._batch.append(raw)
        self._batched += len(raw)
        if self._batched >= _BATCH:
            self._writer.put(self._batch)
            self._batch, self._batched = [], 0

    def _write_raw(self, batch: list[bytes]) -> None:
        for raw in batch:
            self.raw.update(raw)
            self._out.write(raw)
            self._unsynced += len(raw)
        if self._unsynced >= _SYNC_EVERY:
            self._out.flush()
            self._syncer.put(self._unsynced)
            self._unsynced = 0

    def finish(self) -> None:
        """Wait for every raw byte to be written; then the gzip stream must be whole."""
        self._inflater.finish()
        if self._batch:
            self._writer.put(self._batch)
        self._writer.finish()
        self._syncer.finish()
        if self.gzip_error is None and not self._inflate.eof:
            self.gzip_error = "a truncated gzip stream"
        if self.gzip_error:
            raise IntegrityError(
                f"The snapshot holds {self.gzip_error}.",
                "The stored object is damaged or not a LookerVault snapshot; try another one.",
            )


@contextlib.contextmanager
def _temporary_beside(destination: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """A private temporary file in the destination's folder, removed unless kept by rename."""
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
        )
    except OSError as exc:
        raise UsageError(
            f"Cannot write in {destination.parent} ({exc.strerror}).",
            "Choose an --output in a folder you can write to.",
        ) from exc
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w+b") as handle:
            yield handle, path
    finally:
        path.unlink(missing_ok=True)


def _new_file_mode(destination: Path) -> int:
    """What the output's permissions would be had we written it directly: the replaced
    file's, or the umask's for a new one (a temporary file is always private, 0600)."""
    if destination.exists():
        return stat.S_IMODE(destination.stat().st_mode)
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def _write_failed(destination: Path, exc: OSError) -> RuntimeFailure:
    return RuntimeFailure(
        f"Writing the download beside {destination} failed ({exc.strerror or exc}).",
        "Free some space (or choose another --output) and retry; "
        "the destination was left untouched.",
    )


def _check_against_metadata(snap: Snapshot, raw: Digest) -> bool:
    expected_size = snap.metadata.get(f"{META}raw-size")
    expected_crc = snap.metadata.get(f"{META}raw-crc32c")
    expected_sha = snap.metadata.get(f"{META}raw-sha256")
    if expected_size is None and expected_crc is None and expected_sha is None:
        return False
    mismatches = [
        what
        for what, expected, actual in (
            ("size", expected_size, str(raw.size)),
            ("CRC32C", expected_crc, raw.crc32c),
            ("SHA-256", expected_sha, raw.sha256),
        )
        if expected is not None and actual and expected != actual
    ]
    if mismatches:
        raise IntegrityError(
            "The downloaded database does not match the snapshot's recorded "
            f"{', '.join(mismatches)}.",
            "The snapshot is damaged; try another one.",
        )
    return True


def _checked_at_upload(snap: Snapshot, verified: bool) -> bool:
    """Whether the raw bytes are proven to be a database that passed `quick_check`: their
    SHA-256 matched the metadata, and the metadata was written by our upload, which checks
    the database before hashing it (docs/integrity.md)."""
    return verified and {f"{META}format", f"{META}raw-sha256"} <= snap.metadata.keys()


def _publish(temporary: Path, destination: Path, overwrite: bool) -> None:
    """Atomic rename; without overwrite, a link that fails if the destination appeared."""
    if overwrite:
        os.replace(temporary, destination)
        return
    try:
        os.link(temporary, destination)
    except FileExistsError as exc:
        raise UsageError(
            f"{destination} already exists; it was left untouched.",
            "Pass --overwrite to replace it, or choose another --output.",
        ) from exc


def download_snapshot(
    client: storage.Client,
    bucket: str,
    snap: Snapshot,
    destination: Path,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
    retry: Retry | None = None,
) -> DownloadResult:
    """Download exactly `snap` (its generation) and verify every link of the chain."""
    destination = destination.expanduser().absolute()
    if destination.is_dir():
        raise UsageError(
            f"{destination} is a folder; --output names the database file to write.",
            f"Pass a file path, e.g. --output {destination / 'looker.db'}.",
        )
    if destination.exists() and not overwrite:
        raise UsageError(
            f"{destination} already exists; it was left untouched.",
            "Pass --overwrite to replace it, or choose another --output.",
        )
    if not destination.parent.is_dir():
        raise UsageError(
            f"Folder {destination.parent} does not exist.",
            "Create it, or choose another --output.",
        )
    with _temporary_beside(destination) as (handle, temporary):
        raw, compressed_size = _fetch(client, bucket, snap, handle, destination, progress, retry)
        verified = _check_against_metadata(snap, raw)
        sqlite_check = not _checked_at_upload(snap, verified)
        try:
            handle.flush()
            os.fchmod(handle.fileno(), _new_file_mode(destination))
            with ThreadPoolExecutor(1) as pool:  # flush to disk while SQLite checks the pages
                synced = pool.submit(os.fsync, handle.fileno())
                problems = sqlite_problems(temporary) if sqlite_check else None
                synced.result()
        except OSError as exc:
            raise _write_failed(destination, exc) from exc
        if problems:
            raise IntegrityError(
                f"The snapshot {snap.name} is damaged: {problems}.", "Use another snapshot."
            )
        _publish(temporary, destination, overwrite)
    return DownloadResult(snap.name, destination, raw, compressed_size, verified, sqlite_check)


def _read_ranges(blob: storage.Blob, size: int, sink: _GunzipSink, retry: Retry) -> None:
    """The object in ranges of `_RANGE` bytes, `_READERS` requests at a time, handed to the
    sink in order. Each range is read whole in one call: the client's streaming download reads
    8 KiB at a time, and that loop alone held the GIL long enough to slow the other threads.
    The readers are daemon threads, so Ctrl-C never waits for a request in flight."""
    jobs: queue.Queue[tuple[int, Future[bytes]] | None] = queue.Queue()

    def read() -> None:
        while (job := jobs.get()) is not None:
            start, into = job
            try:
                into.set_result(
                    blob.download_as_bytes(
                        start=start,
                        end=min(start + _RANGE, size) - 1,
                        raw_download=True,
                        checksum=None,
                        retry=retry,
                        single_shot_download=True,
                    )
                )
            except BaseException as exc:
                into.set_exception(exc)

    def requested(start: int) -> Future[bytes]:
        future: Future[bytes] = Future()
        jobs.put((start, future))
        return future

    for _ in range(_READERS):
        threading.Thread(target=read, name="range-reader", daemon=True).start()
    try:
        starts = iter(range(0, size, _RANGE))
        reads = collections.deque(requested(start) for start in islice(starts, _READERS))
        while reads:
            data = reads.popleft().result()
            start = next(starts, None)
            if start is not None:
                reads.append(requested(start))
            sink.write(data)
    finally:
        with contextlib.suppress(queue.Empty):
            while True:
                jobs.get_nowait()
        for _ in range(_READERS):
            jobs.put(None)


def _fetch(
    client: storage.Client,
    bucket: str,
    snap: Snapshot,
    handle: BinaryIO,
    destination: Path,
    progress: Callable[[int], None] | None,
    retry: Retry | None,
) -> tuple[Digest, int]:
    """Download and inflate into `handle`: the raw digest and the compressed size.

    Bytes that do not match the object's CRC32C are fetched once more: a second download
    that arrives whole was a transit error; the same wrong bytes again mean the stored object
    itself is damaged.
    """
    # With a SHA-256 to compare, the raw CRC32C proves nothing more, and google-crc32c holds
    # the GIL for pieces this small: computing it made a 1 GiB download 7% slower.
    raw_crc32c = f"{META}raw-sha256" not in snap.metadata
    first_crc32c: str | None = None
    for _ in range(2):
        handle.seek(0)
        handle.truncate()
        with _GunzipSink(handle, progress, raw_crc32c) as sink:
            with storage_errors("Downloading the snapshot", bucket):
                blob = client.bucket(bucket).blob(snap.name, generation=snap.generation)
                _read_ranges(blob, snap.size_bytes, sink, retry or retry_policy())
            compressed = sink.compressed.digest()
            if compressed.crc32c == snap.crc32c and compressed.size == snap.size_bytes:
                try:
                    sink.finish()
                except OSError as exc:
                    raise _write_failed(destination, exc) from exc
                return sink.raw.digest(), compressed.size
        if compressed.crc32c == first_crc32c:
            raise IntegrityError(
                f"The stored object {snap.name} is damaged: two downloads gave the same bytes, "
                f"whose CRC32C {compressed.crc32c} is not the {snap.crc32c} Cloud Storage "
                "recorded when it was written.",
                "Use another snapshot (`lookervault snapshot list`).",
            )
        first_crc32c = compressed.crc32c
    raise IntegrityError(
        f"Checksum mismatch: {snap.name} arrived damaged twice, with different bytes each time.",
        "Something on the network path to Cloud Storage corrupts data; retry, and check "
        "proxies or the connection if it repeats.",
    )
