"""Delete, protect and unprotect one snapshot, each exactly the generation that was listed."""

from __future__ import annotations

from datetime import UTC, datetime

import google.cloud.storage as storage
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud.storage.retry import DEFAULT_RETRY

from lookervault.errors import RuntimeFailure, UsageError
from lookervault.gcs import storage_errors
from lookervault.snapshot.catalog import PROTECTED_KEY, Snapshot

PROTECTED_BY_KEY = "lookervault-protected-by"
PROTECTED_AT_KEY = "lookervault-protected-at"


DELETED = "deleted"
ALREADY_GONE = "already gone"
CHANGED = "kept: changed since it was listed"
PROTECTED_SINCE = "kept: protected since it was listed"


class SnapshotChanged(RuntimeFailure):
    """The object's generation moved on since it was listed: act on nothing."""


def _blob(client: storage.Client, bucket: str, snap: Snapshot) -> storage.Blob:
    return client.bucket(bucket).blob(snap.name, generation=snap.generation)


def refuse_if_protected(snap: Snapshot) -> None:
    if snap.protected:
        reason = snap.metadata.get(PROTECTED_KEY) or "temporary hold"
        raise UsageError(
            f"{snap.name} is protected ({reason}) and was not deleted.",
            "Run `lookervault snapshot unprotect` first if it really should go.",
        )


def delete_snapshot(
    client: storage.Client, bucket: str, snap: Snapshot, retry: Retry = DEFAULT_RETRY
) -> str:
    """Delete exactly the listed generation, unless it changed or became protected since.

    Returns DELETED, ALREADY_GONE (a 404: someone got there first), CHANGED or
    PROTECTED_SINCE. A snapshot listed as protected is refused outright.
    """
    refuse_if_protected(snap)
    with storage_errors(f"Deleting {snap.name}", bucket):
        try:
            blob = client.bucket(bucket).get_blob(snap.name, retry=retry)
            if blob is None:
                return ALREADY_GONE
            if blob.temporary_hold or (blob.metadata or {}).get(PROTECTED_KEY):
                return PROTECTED_SINCE
            if blob.generation != snap.generation:
                return CHANGED
            blob.delete(
                if_generation_match=snap.generation,
                if_metageneration_match=blob.metageneration,
                retry=retry,
            )
        except api_exceptions.NotFound:
            return ALREADY_GONE
        except api_exceptions.PreconditionFailed:
            return CHANGED
    return DELETED


def protect_snapshot(
    client: storage.Client,
    bucket: str,
    snap: Snapshot,
    reason: str,
    actor: str,
    retry: Retry = DEFAULT_RETRY,
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
        blob.patch(retry=retry)


def unprotect_snapshot(
    client: storage.Client, bucket: str, snap: Snapshot, retry: Retry = DEFAULT_RETRY
) -> None:
    blob = _blob(client, bucket, snap)
    blob.temporary_hold = False
    blob.metadata = {PROTECTED_KEY: None, PROTECTED_BY_KEY: None, PROTECTED_AT_KEY: None}
    with storage_errors("Unprotecting the snapshot", bucket):
        blob.patch(retry=retry)
