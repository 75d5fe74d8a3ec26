"""Local listing cache per bucket, prefix and instance; our own writes invalidate it."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import google.cloud.storage as storage

from lookervault.snapshot.catalog import Snapshot, list_snapshots


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


def read(
    state_dir: Path, bucket: str, prefix: str, instance: str, ttl: float
) -> list[Snapshot] | None:
    path = _path(state_dir, bucket, prefix, instance)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if time.time() - float(document["fetched_at"]) > ttl:
            return None
        return [_decode(item) for item in document["snapshots"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(state_dir: Path, bucket: str, prefix: str, instance: str, snaps: list[Snapshot]) -> None:
    path = _path(state_dir, bucket, prefix, instance)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    document = {"fetched_at": time.time(), "snapshots": [_encode(s) for s in snaps]}
    temporary.write_text(json.dumps(document), encoding="utf-8")
    os.replace(temporary, path)


def invalidate(state_dir: Path, bucket: str, prefix: str, instance: str) -> None:
    _path(state_dir, bucket, prefix, instance).unlink(missing_ok=True)


def cached_snapshots(
    client: storage.Client,
    state_dir: Path,
    bucket: str,
    prefix: str,
    instance: str,
    ttl: float,
    use_cache: bool = True,
) -> list[Snapshot]:
    """The instance's snapshots, from the cache while it is fresh, else from one listing."""
    if use_cache and ttl > 0:
        hit = read(state_dir, bucket, prefix, instance, ttl)
        if hit is not None:
            return hit
    snaps = list_snapshots(client, bucket, prefix, instance)
    if ttl > 0:
        write(state_dir, bucket, prefix, instance, snaps)
    return snaps
