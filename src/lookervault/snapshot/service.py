"""Snapshot use cases shared by the CLI and the Cloud Run job: each one call, audited."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import google.cloud.storage as storage

from lookervault.audit import AuditEvent
from lookervault.config import Settings
from lookervault.errors import UsageError
from lookervault.gcs import retry_policy
from lookervault.snapshot import cache
from lookervault.snapshot.cache import Listing
from lookervault.snapshot.catalog import Snapshot
from lookervault.snapshot.download import DownloadResult, download_snapshot
from lookervault.snapshot.manage import (
    CHANGED,
    DELETED,
    PROTECTED_SINCE,
    SnapshotChanged,
    delete_snapshot,
    protect_snapshot,
    unprotect_snapshot,
)
from lookervault.snapshot.refs import Resolved
from lookervault.snapshot.upload import UploadResult, upload_snapshot

Record = Callable[[AuditEvent], None]
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class Listed:
    index: int
    snapshot: Snapshot


def parse_duration(text: str, option: str = "--since") -> timedelta:
    """`7d`, `12h`, `2w`, `30m`, `90s` as a timedelta; exit 2 naming the option otherwise."""
    match = _DURATION.match(text.strip())
    if not match:
        raise UsageError(
            f"{option} {text!r} is not a duration.", "Use a number and a unit, e.g. 7d, 12h, 2w."
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def list_indexed(
    client: storage.Client,
    settings: Settings,
    use_cache: bool = True,
    limit: int | None = None,
    since: str | None = None,
    text_filter: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Listed], Listing]:
    """Newest first; indices count within the instance before any filter, so refs stay valid.

    Also returns the listing itself: whether it came from the cache, and when it was made.
    """
    bucket = settings.require_bucket()
    listing = cache.cached_snapshots(
        client,
        settings.state_dir,
        bucket,
        settings.prefix,
        settings.instance,
        settings.cache_ttl_seconds,
        use_cache,
        retry_policy(settings.gcs_retry_seconds),
    )
    listed = [Listed(i, s) for i, s in enumerate(listing.snapshots, start=1)]
    if since:
        cutoff = (now or datetime.now(UTC)) - parse_duration(since)
        listed = [item for item in listed if item.snapshot.timestamp >= cutoff]
    if text_filter:
        listed = [item for item in listed if text_filter in item.snapshot.filename]
    if limit is not None:
        listed = listed[:limit]
    return listed, listing


def _forget_listing(settings: Settings, bucket: str, snap_instance: str) -> None:
    cache.invalidate(settings.state_dir, bucket, settings.prefix, snap_instance)


def upload(
    client: storage.Client,
    settings: Settings,
    source: Path,
    record: Record,
    actor: str,
    extra_metadata: Mapping[str, str] | None = None,
    work_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
    private_source: bool = False,
    allow_incomplete: bool = False,
) -> UploadResult:
    result = upload_snapshot(
        client,
        settings,
        source,
        extra_metadata,
        work_dir,
        progress,
        dry_run,
        private_source,
        allow_incomplete=allow_incomplete,
    )
    if not dry_run:
        _forget_listing(settings, result.bucket, settings.instance)
        record(
            AuditEvent(
                action="snapshot.created",
                object=result.name,
                bucket=result.bucket,
                generation=result.generation,
                actor=actor,
                details={
                    "raw_size": result.raw.size,
                    "compressed_size": result.compressed_size,
                    "crc32c": result.compressed_crc32c,
                },
            )
        )
    return result


def download(
    client: storage.Client,
    resolved: Resolved,
    output: Path,
    overwrite: bool,
    progress: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> DownloadResult:
    retry = retry_policy(settings.gcs_retry_seconds) if settings else None
    return download_snapshot(
        client, resolved.bucket, resolved.snapshot, output, overwrite, progress, retry
    )


def delete(
    client: storage.Client, settings: Settings, resolved: Resolved, record: Record, actor: str
) -> bool:
    snap = resolved.snapshot
    try:
        outcome = delete_snapshot(
            client, resolved.bucket, snap, retry_policy(settings.gcs_retry_seconds)
        )
    except UsageError:
        record(_event("snapshot.deleted", resolved, actor, "failure", "protected"))
        raise
    _forget_listing(settings, resolved.bucket, snap.instance)
    if outcome in (CHANGED, PROTECTED_SINCE):
        record(_event("snapshot.deleted", resolved, actor, "skipped", outcome))
        raise SnapshotChanged(
            f"{snap.name} was not deleted: {outcome}.", "List the snapshots again and retry."
        )
    deleted = outcome == DELETED
    record(_event("snapshot.deleted", resolved, actor, "success" if deleted else "skipped"))
    return deleted


def protect(
    client: storage.Client,
    settings: Settings,
    resolved: Resolved,
    reason: str,
    record: Record,
    actor: str,
) -> None:
    protect_snapshot(
        client,
        resolved.bucket,
        resolved.snapshot,
        reason,
        actor,
        retry_policy(settings.gcs_retry_seconds),
    )
    _forget_listing(settings, resolved.bucket, resolved.snapshot.instance)
    record(_event("snapshot.protected", resolved, actor, reason=reason))


def unprotect(
    client: storage.Client, settings: Settings, resolved: Resolved, record: Record, actor: str
) -> None:
    unprotect_snapshot(
        client, resolved.bucket, resolved.snapshot, retry_policy(settings.gcs_retry_seconds)
    )
    _forget_listing(settings, resolved.bucket, resolved.snapshot.instance)
    record(_event("snapshot.unprotected", resolved, actor))


def _event(
    action: str,
    resolved: Resolved,
    actor: str,
    outcome: str = "success",
    reason: str | None = None,
) -> AuditEvent:
    return AuditEvent.model_validate(
        {
            "action": action,
            "outcome": outcome,
            "object": resolved.snapshot.name,
            "bucket": resolved.bucket,
            "generation": resolved.snapshot.generation,
            "reason": reason,
            "actor": actor,
        }
    )
