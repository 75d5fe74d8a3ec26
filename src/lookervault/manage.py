"""Delete, protect and unprotect one snapshot, each exactly the generation that was listed."""

from __future__ import annotations

from datetime import UTC, datetime

from google.api_core import exceptions as api_exceptions
import google.cloud.storage as storage

from lookervault.catalog import PROTECTED_KEY, Snapshot
from lookervault.errors import RuntimeFailure, UsageError
from lookervault.gcs import storage_errors

PROTECTED_BY_KEY = "lookervault-protected-by"
PROTECTED_AT_KEY = "lookervault-protected-at"


class SnapshotChanged(RuntimeFailure):
    """The object's generation moved on since it was listed: act on nothing."""


def _blob(client: storage.Client, bucket: str, snap: Snapshot) -> storage.Blob:
    return client.bucket(bucket).blob(snap.name, generation=snap.generation)


def delete_snapshot(client: storage.Client, bucket: str, snap: Snapshot) -> bool:
    """Delete the listed generation; False if it was already gone. Never a protected one."""
    if snap.protected:
        reason = snap.metadata.get(PROTECTED_KEY) or "temporary hold"
        raise UsageError(
            f"{snap.name} is protected ({reason}) and was not deleted.",
            "Run `lookervault snapshot unprotect` first if it really should go.",
        )
    with storage_errors("Deleting the snapshot", bucket):
        try:
            client.bucket(bucket).blob(snap.name).delete(if_generation_match=snap.generation)
        except api_exceptions.NotFound:
            return False
        except api_exceptions.PreconditionFailed as exc:
            raise SnapshotChanged(
                f"{snap.name} changed since it was listed and was not deleted.",
                "List the snapshots again and retry.",
            ) from exc
    return True


def protect_snapshot(
    client: storage.Client, bucket: str, snap: Snapshot, reason: str, actor: str
) -> None:
    """A temporary hold (enforced by GCS) plus a metadata marker (visible everywhere)."""
    blob = _blob(client, bucket, snap)
    blob.temporary_hold = True
    blob.metadata = {
        PROTECTED_KEY: reason or "protected",
        PROTECTED_BY_KEY: actor,
        PROTECTED_AT_KEY: datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with storage_errors("Protecting the snapshot", bucket):
        blob.patch()


def unprotect_snapshot(client: storage.Client, bucket: str, snap: Snapshot) -> None:
    blob = _blob(client, bucket, snap)
    blob.temporary_hold = False
    blob.metadata = {PROTECTED_KEY: None, PROTECTED_BY_KEY: None, PROTECTED_AT_KEY: None}
    with storage_errors("Unprotecting the snapshot", bucket):
        blob.patch()
