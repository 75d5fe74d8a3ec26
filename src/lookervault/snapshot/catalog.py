"""What is in the bucket: snapshot listings, newest first, from one projected, paged listing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import google.cloud.storage as storage
from google.api_core.retry import Retry
from google.cloud.storage.retry import DEFAULT_RETRY

from lookervault.gcs import storage_errors
from lookervault.snapshot.naming import instance_folder, iso_utc, parse_name

PROTECTED_KEY = "lookervault-protected-reason"
INCOMPLETE_KEY = "lookervault-incomplete"
"""Set by `upload --allow-incomplete`: why the database was not a whole backup."""
COUNTS_KEY = "lookervault-counts"
PAGE_SIZE = 1000
LIST_FIELDS = (
    "items(name,generation,size,crc32c,timeCreated,metadata,temporaryHold),prefixes,nextPageToken"
)


@dataclass(frozen=True)
class Snapshot:
    """One snapshot object as listed (no download needed)."""

    name: str
    instance: str
    filename: str
    timestamp: datetime
    created: datetime
    generation: int
    size_bytes: int
    crc32c: str
    metadata: dict[str, str] = field(default_factory=dict)
    temporary_hold: bool = False

    @property
    def protected(self) -> bool:
        return self.temporary_hold or bool(self.metadata.get(PROTECTED_KEY))

    @property
    def incomplete(self) -> bool:
        return bool(self.metadata.get(INCOMPLETE_KEY))

    @property
    def counts(self) -> dict[str, int]:
        """Items per content type, as the job recorded them at upload (empty if it did not)."""
        try:
            counts = json.loads(self.metadata.get(COUNTS_KEY) or "{}")
        except ValueError:
            return {}
        if not isinstance(counts, dict):
            return {}
        return {str(k): v for k, v in counts.items() if isinstance(v, int)}

    def gcs_path(self, bucket: str) -> str:
        return f"gs://{bucket}/{self.name}"


def snapshot_from_blob(
    blob: storage.Blob, prefix: str, filename_prefix: str | None = None
) -> Snapshot | None:
    """A Snapshot from listed or fetched blob properties; None if the name is not a snapshot."""
    parsed = parse_name(blob.name, prefix, filename_prefix)
    if parsed is None:
        return None
    return Snapshot(
        name=blob.name,
        instance=parsed.instance,
        filename=parsed.filename,
        timestamp=parsed.timestamp,
        created=blob.time_created or parsed.timestamp,
        generation=int(blob.generation or 0),
        size_bytes=int(blob.size or 0),
        crc32c=blob.crc32c or "",
        metadata=dict(blob.metadata or {}),
        temporary_hold=bool(blob.temporary_hold),
    )


def list_snapshots(
    client: storage.Client,
    bucket: str,
    prefix: str,
    instance: str,
    filename_prefix: str | None = None,
    retry: Retry = DEFAULT_RETRY,
) -> list[Snapshot]:
    """Every snapshot of one instance, newest first (by name timestamp, then creation).

    With `filename_prefix`, only names with exactly that prefix: `looker` never matches
    `looker-prod-...`.
    """
    found: list[Snapshot] = []
    with storage_errors("Listing snapshots", bucket):
        blobs = client.list_blobs(
            bucket,
            prefix=instance_folder(prefix, instance),
            fields=LIST_FIELDS,
            page_size=PAGE_SIZE,
            retry=retry,
        )
        for blob in blobs:
            snap = snapshot_from_blob(blob, prefix, filename_prefix)
            if snap is not None and snap.instance == instance:
                found.append(snap)
    found.sort(key=lambda s: (s.timestamp, s.created, s.name), reverse=True)
    return found


def list_instances(
    client: storage.Client, bucket: str, prefix: str, retry: Retry = DEFAULT_RETRY
) -> list[str]:
    """Instance folders under the prefix, sorted."""
    with storage_errors("Listing instances", bucket):
        pages = client.list_blobs(
            bucket, prefix=prefix, delimiter="/", fields="prefixes,nextPageToken", retry=retry
        )
        for _ in pages:
            pass
        return sorted(p[len(prefix) :].rstrip("/") for p in pages.prefixes)


def to_record(snap: Snapshot, index: int, bucket: str) -> dict[str, Any]:
    """The JSON shape of DESIGN.md section 8."""
    return {
        "sequential_index": index,
        "name": snap.name,
        "filename": snap.filename,
        "instance": snap.instance,
        "timestamp": iso_utc(snap.timestamp),
        "size_bytes": snap.size_bytes,
        "crc32c": snap.crc32c,
        "generation": snap.generation,
        "gcs_path": snap.gcs_path(bucket),
        "protected": snap.protected,
        "incomplete": snap.incomplete,
        "created": iso_utc(snap.created),
        "metadata": snap.metadata,
    }
