"""Local listing cache per bucket, prefix and instance; our own writes invalidate it.

The cache is also the record of what `snapshot list` last showed, so a command given an index
can tell when the bucket has changed since (see docs/snapshots.md). It is a convenience:
when the state directory cannot be written, commands warn and go on without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
from google.api_core.retry import Retry
from google.cloud.storage.retry import DEFAULT_RETRY

from lookervault.snapshot.catalog import Snapshot, list_snapshots

log = logging.getLogger("lookervault.cache")


@dataclass(frozen=True)
class Listing:
    """An instance's snapshots, newest first, as listed at `listed_at`."""

    snapshots: list[Snapshot]
    listed_at: datetime
    from_cache: bool

    def age_seconds(self, now: float | None = None) -> float:
        return max(0.0, (now or time.time()) - self.listed_at.timestamp())


def _path(state_dir: Path, bucket: str, prefix: str, instance: str) -> Path:
    key = hashlib.sha256(f"{bucket}\0{prefix}\0{instance}".encode()).hexdigest()[:32]
    return state_dir / "cache" / f"{key}.json"


def _encode(snap: Snapshot) -> dict[str, Any]:
    data = asdict(snap)
    data["timestamp"] = snap.timestamp.isoformat()
    data["created"] = snap.created.isoformat()
    return data


def _decode(data: dict[str, Any]) -> Snapshot:
    return Snapshot(
        **{
            **data,
            "timestamp": datetime.fromisoformat(data["timestamp"]),
            "created": datetime.fromisoformat(data["created"]),
        }
    )


def last_shown(state_dir: Path, bucket: str, prefix: str, instance: str) -> Listing | None:
    """The listing last cached, however old: what the user was last shown."""
    path = _path(state_dir, bucket, prefix, instance)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        listed_at = datetime.fromtimestamp(float(document["fetched_at"]), UTC)
        return Listing([_decode(item) for item in document["snapshots"]], listed_at, True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read(state_dir: Path, bucket: str, prefix: str, instance: str, ttl: float) -> Listing | None:
    listing = last_shown(state_dir, bucket, prefix, instance)
    if listing is None or listing.age_seconds() > ttl:
        return None
    return listing


def write(state_dir: Path, bucket: str, prefix: str, instance: str, listing: Listing) -> None:
    path = _path(state_dir, bucket, prefix, instance)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    document = {
        "fetched_at": listing.listed_at.timestamp(),
        "snapshots": [_encode(s) for s in listing.snapshots],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("Could not write the listing cache in %s (%s).", path.parent, exc.strerror)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def invalidate(state_dir: Path, bucket: str, prefix: str, instance: str) -> None:
    path = _path(state_dir, bucket, prefix, instance)
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning(
            "Could not clear the listing cache %s (%s); `snapshot list --no-cache` shows the "
            "bucket as it is.",
            path,
            exc.strerror,
        )


def cached_snapshots(
    client: storage.Client,
    state_dir: Path,
    bucket: str,
    prefix: str,
    instance: str,
    ttl: float,
    use_cache: bool = True,
    retry: Retry = DEFAULT_RETRY,
) -> Listing:
    """The instance's snapshots, from the cache while it is fresh, else from one listing."""
    if use_cache and ttl > 0:
        hit = read(state_dir, bucket, prefix, instance, ttl)
        if hit is not None:
            return hit
    listing = Listing(list_snapshots(client, bucket, prefix, instance, retry=retry), now(), False)
    if ttl > 0:
        write(state_dir, bucket, prefix, instance, listing)
    return listing


def now() -> datetime:
    return datetime.now(UTC)
