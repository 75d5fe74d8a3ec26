"""Resolve a snapshot reference: index (1 = newest) or `latest`, timestamp, object name or
gs:// URL.

Indices count within the instance in the live bucket. The listing cache records what
`snapshot list` last showed; when an index now means another snapshot than it did there, the
reference is refused rather than guessed (docs/snapshots.md). `latest` means the newest
snapshot now, whatever a listing showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import google.cloud.storage as storage
from google.api_core.retry import Retry

from lookervault.config import Settings
from lookervault.errors import NotFoundError, UsageError
from lookervault.gcs import retry_policy, storage_errors
from lookervault.snapshot import cache
from lookervault.snapshot.catalog import Snapshot, list_snapshots, snapshot_from_blob
from lookervault.snapshot.naming import SUFFIX, format_timestamp, instance_folder, parse_timestamp

LIST_HINT = "Run `lookervault snapshot list` to see the snapshots there are."
REF_HINT = (
    "Use an index (1 = newest), a timestamp as `snapshot list` prints it "
    "(2025-12-01T03-00-00, 2025-12-01T03:00:00Z or '2025-12-01 03:00:00'), an object name "
    "or a gs:// URL."
)


@dataclass(frozen=True)
class Resolved:
    bucket: str
    snapshot: Snapshot


def describe(snap: Snapshot) -> str:
    """How commands name the snapshot they act on: file name and its time, unambiguous."""
    return f"{snap.filename} ({snap.timestamp.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)"


def _not_found(ref: str, where: str) -> NotFoundError:
    return NotFoundError(f"No snapshot matches {ref!r} in {where}.", LIST_HINT)


def _by_name(
    client: storage.Client, bucket: str, name: str, prefix: str, ref: str, retry: Retry
) -> Resolved:
    with storage_errors("Looking up the snapshot", bucket):
        blob = client.bucket(bucket).get_blob(name, retry=retry)
    if blob is None:
        raise _not_found(ref, f"gs://{bucket}")
    snap = snapshot_from_blob(blob, prefix)
    if snap is None:
        raise UsageError(
            f"gs://{bucket}/{name} is not a snapshot name under prefix {prefix!r}.",
            "Snapshot names look like snapshots/<instance>/looker-YYYY-MM-DDTHH-MM-SS.db.gz.",
        )
    return Resolved(bucket, snap)


def parse_moment(ref: str) -> datetime | None:
    """A timestamp in any form `snapshot list` prints: the name's `YYYY-MM-DDTHH-MM-SS`,
    the JSON's ISO 8601 (`...Z` or an offset) or the table's `YYYY-MM-DD HH:MM:SS` (UTC)."""
    moment = parse_timestamp(ref)
    if moment is not None:
        return moment
    if len(ref) < len("YYYY-MM-DDTHH:MM:SS") or ref[10:11] not in ("T", " "):
        return None
    try:
        parsed = datetime.fromisoformat(ref)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _check_index_unchanged(settings: Settings, bucket: str, index: int, live: Snapshot) -> None:
    """Refuse an index that the last listing shown here gave to another snapshot."""
    shown = cache.last_shown(settings.state_dir, bucket, settings.prefix, settings.instance)
    if shown is None or index > len(shown.snapshots):
        return
    then = shown.snapshots[index - 1]
    if (then.name, then.generation) != (live.name, live.generation):
        minutes = shown.age_seconds() / 60
        raise UsageError(
            f"Snapshot #{index} is now {describe(live)}, but the listing shown "
            f"{minutes:.0f} min ago had {describe(then)} as #{index}: the bucket has changed.",
            f"Run `lookervault snapshot list --no-cache` and use the new index, or name the "
            f"snapshot by its timestamp (e.g. {format_timestamp(live.timestamp)}).",
        )


def resolve(client: storage.Client, settings: Settings, ref: str) -> Resolved:
    retry = retry_policy(settings.gcs_retry_seconds)
    ref = ref.strip()
    latest = ref == "latest"
    if latest:
        ref = "1"
    if ref.startswith("gs://"):
        bucket, _, name = ref[len("gs://") :].partition("/")
        if not bucket or not name:
            raise UsageError(f"{ref!r} is not a gs://BUCKET/OBJECT URL.", LIST_HINT)
        return _by_name(client, bucket, name, settings.prefix, ref, retry)
    bucket = settings.require_bucket()
    if "/" in ref:
        return _by_name(client, bucket, ref, settings.prefix, ref, retry)
    if ref.endswith(SUFFIX):
        name = instance_folder(settings.prefix, settings.instance) + ref
        return _by_name(client, bucket, name, settings.prefix, ref, retry)
    if not ref.isdigit() and parse_moment(ref) is None:
        raise UsageError(f"{ref!r} is not a snapshot reference.", REF_HINT)
    where = f"gs://{bucket}/{instance_folder(settings.prefix, settings.instance)}"
    snaps = list_snapshots(client, bucket, settings.prefix, settings.instance, retry=retry)
    if ref.isdigit():
        index = int(ref)
        if index < 1:
            raise UsageError("Snapshot indices start at 1 (the newest).", LIST_HINT)
        if index > len(snaps):
            raise _not_found(ref, where)
        if not latest:
            _check_index_unchanged(settings, bucket, index, snaps[index - 1])
        return Resolved(bucket, snaps[index - 1])
    moment = parse_moment(ref)
    matches = [s for s in snaps if s.timestamp == moment]
    if not matches:
        raise _not_found(ref, where)
    return Resolved(bucket, matches[0])
