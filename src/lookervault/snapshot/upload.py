"""Upload: consistent copy -> one streaming gzip pass -> verified, create-only resumable upload."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import google.cloud.storage as storage
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud.storage.exceptions import DataCorruption

from lookervault import __version__
from lookervault.config import Settings
from lookervault.errors import IntegrityError, RuntimeFailure, UsageError
from lookervault.gcs import retry_policy, storage_errors
from lookervault.looker.store import incomplete_reason
from lookervault.snapshot.catalog import INCOMPLETE_KEY
from lookervault.snapshot.compression import engine
from lookervault.snapshot.integrity import Digest, checked_digest, consistent_copy
from lookervault.snapshot.naming import SnapshotName, build_name
from lookervault.snapshot.stream import CompressedStream

FORMAT_VERSION = "1"
MIB = 1024 * 1024
CONTENT_TYPE = "application/gzip"
MAX_NAME_ATTEMPTS = 30
META = "lookervault-"


@dataclass(frozen=True)
class UploadResult:
    name: str
    bucket: str
    generation: int | None
    raw: Digest
    compressed_size: int | None
    compressed_crc32c: str | None
    compression_level: int
    dry_run: bool
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def gcs_path(self) -> str:
        return f"gs://{self.bucket}/{self.name}"

    @property
    def ratio(self) -> float | None:
        if not self.compressed_size:
            return None
        return round(self.raw.size / self.compressed_size, 2)


def snapshot_metadata(
    raw: Digest, level: int, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Custom metadata of DESIGN.md section 2; `extra` adds Looker and Cloud Run facts."""
    metadata = {
        f"{META}format": FORMAT_VERSION,
        f"{META}raw-size": str(raw.size),
        f"{META}raw-crc32c": raw.crc32c,
        f"{META}raw-sha256": raw.sha256,
        f"{META}compression-level": str(level),
        f"{META}compression-engine": engine(level),
        f"{META}tool-version": __version__,
    }
    for key, value in (extra or {}).items():
        metadata[key if key.startswith(META) else f"{META}{key}"] = value
    size = len(json.dumps(metadata).encode())
    if size > 8 * 1024:
        raise RuntimeFailure(f"Snapshot metadata is {size} bytes, over the 8 KiB limit.")
    return metadata


def _name_is_taken(bucket: storage.Bucket, name: SnapshotName, retry: Retry) -> bool:
    return bucket.get_blob(name.object_name, retry=retry) is not None


def _corruption_in(exc: BaseException | None) -> DataCorruption | None:
    """The DataCorruption behind `exc`, if any: google-cloud-storage raises it when the
    committed object's CRC32C is not ours, then deletes the object itself, and when that
    delete fails, the delete's error is what reaches us."""
    while exc is not None:
        if isinstance(exc, DataCorruption):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _discard_corrupted(
    bucket: storage.Bucket, object_name: str, corruption: DataCorruption, retry: Retry
) -> None:
    """Delete exactly the generation the failed upload committed (the final response names
    it), whether or not the library's own delete, made without a precondition, got there."""
    try:
        generation = int(corruption.response.json()["generation"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return
    with contextlib.suppress(api_exceptions.NotFound, api_exceptions.PreconditionFailed):
        bucket.blob(object_name).delete(if_generation_match=generation, retry=retry)


def _delete_quietly(blob: storage.Blob, retry: Retry) -> None:
    """Delete exactly this generation; gone already is fine."""
    with contextlib.suppress(api_exceptions.NotFound):
        blob.delete(if_generation_match=blob.generation, retry=retry)


def _refuse_if_damaged(source: Path, problems: str | None, private_source: bool) -> None:
    """A damaged copy means a damaged source (exit 2); a damaged private source is ours."""
    if problems is None:
        return
    if private_source:
        raise IntegrityError(
            f"{source.name} is damaged: {problems}.", "The data is damaged; use another snapshot."
        )
    raise UsageError(
        f"{source} is damaged: {problems}.",
        "It cannot be backed up. Run `lookervault extract` into a new file and upload that.",
    )


def _refuse_unless_whole(
    source: Path, database: Path, allow_incomplete: bool, metadata: dict[str, str]
) -> None:
    """Only a completed extraction with content is a backup; with `allow_incomplete` anything
    else is uploaded marked incomplete, and retention does not count it toward min_count."""
    reason = incomplete_reason(database)
    if reason is None:
        return
    if not allow_incomplete:
        raise UsageError(
            f"{source} is not a whole backup: {reason}.",
            "Upload the database of a completed `lookervault extract` (an interrupted one "
            "continues with `--resume`), or pass --allow-incomplete to upload it marked "
            "incomplete.",
        )
    metadata[INCOMPLETE_KEY] = reason


def upload_snapshot(
    client: storage.Client,
    settings: Settings,
    source: Path,
    extra_metadata: Mapping[str, str] | None = None,
    work_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
    private_source: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    allow_incomplete: bool = False,
) -> UploadResult:
    """Upload `source` as a new snapshot; the object appears only if it is exactly our bytes.

    `progress(count)` is called as each chunk of `count` raw bytes is compressed. A
    `private_source` (ours, closed, written by nobody) is checked and read in place instead
    of copied first: on Cloud Run the disk is memory and a second copy doubles the bill.
    """
    bucket_name = settings.require_bucket()
    level = settings.compression_level
    retry = retry_policy(settings.gcs_retry_seconds)
    with tempfile.TemporaryDirectory(prefix="lookervault-upload-", dir=work_dir) as scratch:
        copy = source if private_source else Path(scratch) / "looker.db"
        if not private_source:
            consistent_copy(source, copy)
        raw, problems = checked_digest(copy)
        _refuse_if_damaged(source, problems, private_source)
        metadata = dict(extra_metadata or {})
        _refuse_unless_whole(source, copy, allow_incomplete, metadata)
        metadata = snapshot_metadata(raw, level, metadata)
        name = build_name(settings.prefix, settings.instance, settings.filename_prefix, now())
        with storage_errors("Uploading the snapshot", bucket_name):
            bucket = client.bucket(bucket_name)
            if dry_run:
                bucket.reload(retry=retry)
                return UploadResult(
                    name.object_name, bucket_name, None, raw, None, None, level, True, metadata
                )
            for _ in range(MAX_NAME_ATTEMPTS):
                if _name_is_taken(bucket, name, retry):
                    name = name.next_second()
                    continue
                try:
                    return _transfer(bucket, name, copy, raw, settings, metadata, progress, retry)
                except api_exceptions.PreconditionFailed:
                    name = name.next_second()
    raise RuntimeFailure(
        f"Could not find a free snapshot name after {MAX_NAME_ATTEMPTS} tries.",
        "Another upload to the same instance is running at the same time; retry later.",
    )


def _transfer(
    bucket: storage.Bucket,
    name: SnapshotName,
    copy: Path,
    raw: Digest,
    settings: Settings,
    metadata: dict[str, str],
    progress: Callable[[int], None] | None,
    retry: Retry,
) -> UploadResult:
    """One create-only resumable upload; the stream fails it before its final request if the
    copy is no longer the one hashed, so that never needs a delete."""
    chunk_size = settings.upload_chunk_mib * MIB
    blob = bucket.blob(name.object_name, chunk_size=chunk_size)
    blob.metadata = metadata
    level = settings.compression_level
    with CompressedStream(copy, level, raw, chunk_size, progress) as stream:
        try:
            blob.upload_from_file(
                stream,
                content_type=CONTENT_TYPE,
                checksum="crc32c",
                if_generation_match=0,
                retry=retry,
            )
        except Exception as exc:
            corruption = _corruption_in(exc)
            if corruption is None:
                raise
            _discard_corrupted(bucket, name.object_name, corruption, retry)
            raise IntegrityError(
                "Cloud Storage received other bytes than were sent; the snapshot was discarded.",
                "Nothing was kept under a snapshot name; retry the upload.",
            ) from exc
        compressed = stream.compressed.digest()
    if blob.crc32c != compressed.crc32c or blob.size != compressed.size:
        _delete_quietly(blob, retry)
        raise IntegrityError(
            "The stored snapshot does not match what was uploaded (CRC32C mismatch); "
            "it was deleted.",
            "Nothing was kept under a snapshot name; retry the upload.",
        )
    return UploadResult(
        name.object_name,
        bucket.name,
        blob.generation,
        raw,
        compressed.size,
        compressed.crc32c,
        level,
        False,
        metadata,
    )
