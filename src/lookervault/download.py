"""Download: raw bytes -> CRC32C -> gunzip -> size/CRC32C/SHA-256 -> quick_check -> rename.

Everything lands in a temporary file beside the destination; only a fully verified file is
renamed over it. On any failure the destination is untouched and the temporary file is gone.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import google.cloud.storage as storage

from lookervault.catalog import Snapshot
from lookervault.compression import decompressor
from lookervault.errors import IntegrityError, UsageError
from lookervault.gcs import storage_errors
from lookervault.integrity import Digest, Hasher, quick_check
from lookervault.upload import META


@dataclass(frozen=True)
class DownloadResult:
    name: str
    destination: Path
    raw: Digest
    compressed_size: int
    verified_against_metadata: bool


class _GunzipSink:
    """A write-only file object: hashes compressed bytes, inflates, hashes and writes raw bytes."""

    def __init__(self, out: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self.compressed = Hasher(with_sha256=False)
        self.raw = Hasher()
        self._out = out
        self._inflate = decompressor()
        self._progress = progress
        self.gzip_error: str | None = None

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
        self.raw.update(raw)
        self._out.write(raw)

    def flush(self) -> None:
        self._out.flush()

    def finish(self) -> None:
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
    descriptor, name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
    )
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w+b") as handle:
            yield handle, path
    finally:
        path.unlink(missing_ok=True)


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
) -> DownloadResult:
    """Download exactly `snap` (its generation) and verify every link of the chain."""
    destination = destination.expanduser().absolute()
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
        sink = _GunzipSink(handle, progress)
        with storage_errors("Downloading the snapshot", bucket):
            blob = client.bucket(bucket).blob(snap.name, generation=snap.generation)
            blob.download_to_file(sink, raw_download=True, checksum=None)
        compressed = sink.compressed.digest()
        if compressed.crc32c != snap.crc32c or compressed.size != snap.size_bytes:
            raise IntegrityError(
                f"Checksum mismatch: {snap.name} arrived with CRC32C {compressed.crc32c}, "
                f"the stored object has {snap.crc32c}.",
                "The download was corrupted in transit and discarded; retry.",
            )
        sink.finish()
        raw = sink.raw.digest()
        verified = _check_against_metadata(snap, raw)
        handle.flush()
        os.fsync(handle.fileno())
        quick_check(temporary)
        _publish(temporary, destination, overwrite)
    return DownloadResult(snap.name, destination, raw, compressed.size, verified)
