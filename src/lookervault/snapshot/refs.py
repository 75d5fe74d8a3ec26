"""Resolve a snapshot reference: index (1 = newest) or `latest`, timestamp, object name or
gs:// URL."""

from __future__ import annotations

from dataclasses import dataclass

import google.cloud.storage as storage

from lookervault.config import Settings
from lookervault.errors import NotFoundError, UsageError
from lookervault.gcs import storage_errors
from lookervault.snapshot.catalog import Snapshot, list_snapshots, snapshot_from_blob
from lookervault.snapshot.naming import SUFFIX, instance_folder, parse_timestamp

LIST_HINT = "Run `lookervault snapshot list` to see the snapshots there are."


@dataclass(frozen=True)
class Resolved:
    bucket: str
    snapshot: Snapshot


def _not_found(ref: str, where: str) -> NotFoundError:
    return NotFoundError(f"No snapshot matches {ref!r} in {where}.", LIST_HINT)


def _by_name(client: storage.Client, bucket: str, name: str, prefix: str, ref: str) -> Resolved:
    with storage_errors("Looking up the snapshot", bucket):
        blob = client.bucket(bucket).get_blob(name)
    if blob is None:
        raise _not_found(ref, f"gs://{bucket}")
    snap = snapshot_from_blob(blob, prefix)
    if snap is None:
        raise UsageError(
            f"gs://{bucket}/{name} is not a snapshot name under prefix {prefix!r}.",
            "Snapshot names look like snapshots/<instance>/looker-YYYY-MM-DDTHH-MM-SS.db.gz.",
        )
    return Resolved(bucket, snap)


def resolve(client: storage.Client, settings: Settings, ref: str) -> Resolved:
    ref = ref.strip()
    if ref == "latest":
        ref = "1"
    if ref.startswith("gs://"):
        bucket, _, name = ref[len("gs://") :].partition("/")
        if not bucket or not name:
            raise UsageError(f"{ref!r} is not a gs://BUCKET/OBJECT URL.", LIST_HINT)
        return _by_name(client, bucket, name, settings.prefix, ref)
    bucket = settings.require_bucket()
    if "/" in ref:
        return _by_name(client, bucket, ref, settings.prefix, ref)
    if ref.endswith(SUFFIX):
        name = instance_folder(settings.prefix, settings.instance) + ref
        return _by_name(client, bucket, name, settings.prefix, ref)
    where = f"gs://{bucket}/{instance_folder(settings.prefix, settings.instance)}"
    snaps = list_snapshots(client, bucket, settings.prefix, settings.instance)
    if ref.isdigit():
        index = int(ref)
        if index < 1:
            raise UsageError("Snapshot indices start at 1 (the newest).", LIST_HINT)
        if index > len(snaps):
            raise _not_found(ref, where)
        return Resolved(bucket, snaps[index - 1])
    moment = parse_timestamp(ref)
    if moment is None:
        raise UsageError(
            f"{ref!r} is not a snapshot reference.",
            "Use an index (1 = newest), a timestamp YYYY-MM-DDTHH-MM-SS, an object name "
            "or a gs:// URL.",
        )
    matches = [s for s in snaps if s.timestamp == moment]
    if not matches:
        raise _not_found(ref, where)
    return Resolved(bucket, matches[0])
