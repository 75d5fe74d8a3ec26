"""Download: raw bytes -> CRC32C -> gunzip -> size/CRC32C/SHA-256 -> quick_check -> rename.

Everything lands in a temporary file beside the destination; only a fully verified file is
renamed over it. On any failure the destination is untouched and the temporary file is gone.
"""

from __future__ import annotations

import contextlib
import os
import queue
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import google.cloud.storage as storage
from google.api_core.retry import Retry

from lookervault.errors import IntegrityError, RuntimeFailure, UsageError
from lookervault.gcs import retry_policy, storage_errors
from lookervault.snapshot.catalog import Snapshot
from lookervault.snapshot.compression import decompressor
from lookervault.snapshot.integrity import Digest, Hasher, sqlite_problems
from lookervault.snapshot.upload import META

_WRITE_QUEUE_DEPTH = 64


@dataclass(frozen=True)
class DownloadResult:
    name: str
    destination: Path
    raw: Digest
    compressed_size: int
    verified_against_metadata: bool


class _GunzipSink:
    """A write-only file object: hashes compressed bytes and inflates them; a second thread
    hashes and writes the raw bytes, so the two halves of the work share both cores."""

    def __init__(self, out: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self.compressed = Hasher(with_sha256=False)
        self.raw = Hasher()
        self.gzip_error: str | None = None
        self._out = out
        self._inflate = decompressor()
        self._progress = progress
        self._pending: queue.Queue[bytes | None] = queue.Queue(_WRITE_QUEUE_DEPTH)
        self._write_error: BaseException | None = None
        self._writer = threading.Thread(target=self._write_raw, name="raw-writer", daemon=True)
        self._writer.start()

    def __enter__(self) -> _GunzipSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop_writer()

    def write(self, data: bytes) -> int:
        self.compressed.update(data)
        if self.gzip_error is None:
            self._inflate_chunk(data)
        if self._progress:
            self._progress(len(data))
        return len(data)

    def _inflate_chunk(self, data: bytes) -> None:
        """Inflate, remembering (not raising) a bad stream so the CRC32C check speaks first."""
        try:
            raw = self._inflate.decompress(data)
        except Exception as exc:
            self.gzip_error = f"not a valid gzip stream ({exc})"
            return
        if self._inflate.unused_data:
            self.gzip_error = "trailing data after the gzip stream"
            return
        if raw and self._write_error is None:
            self._pending.put(raw)

    def _write_raw(self) -> None:
        while (raw := self._pending.get()) is not None:
            if self._write_error is not None:
                continue
            try:
                self.raw.update(raw)
                self._out.write(raw)
            except BaseException as exc:  # raised again by finish(), in the caller's thread
                self._write_error = exc

    def _stop_writer(self) -> None:
        if self._writer.is_alive():
            self._pending.put(None)
            self._writer.join()

    def flush(self) -> None:
        """Nothing to do before finish(): the writer thread owns the output file."""

    def finish(self) -> None:
        """Wait for every raw byte to be written; then the gzip stream must be whole."""
        self._stop_writer()
        if self._write_error is not None:
            raise self._write_error
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
        if expected is not None and expected != actual
    ]
    if mismatches:
        raise IntegrityError(
            "The downloaded database does not match the snapshot's recorded "
            f"{', '.join(mismatches)}.",
            "The snapshot is damaged; try another one.",
        )
    return True


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
        try:
            handle.flush()
            os.fchmod(handle.fileno(), _new_file_mode(destination))
            with ThreadPoolExecutor(1) as pool:  # flush to disk while SQLite checks the pages
                synced = pool.submit(os.fsync, handle.fileno())
                problems = sqlite_problems(temporary)
                synced.result()
        except OSError as exc:
            raise _write_failed(destination, exc) from exc
        if problems:
            raise IntegrityError(
                f"The snapshot {snap.name} is damaged: {problems}.", "Use another snapshot."
            )
        _publish(temporary, destination, overwrite)
    return DownloadResult(snap.name, destination, raw, compressed_size, verified)


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
    first_crc32c: str | None = None
    for _ in range(2):
        handle.seek(0)
        handle.truncate()
        with _GunzipSink(handle, progress) as sink:
            with storage_errors("Downloading the snapshot", bucket):
                blob = client.bucket(bucket).blob(snap.name, generation=snap.generation)
                blob.download_to_file(
                    sink, raw_download=True, checksum=None, retry=retry or retry_policy()
                )
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
