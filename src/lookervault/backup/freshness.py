"""Are backups still arriving? The newest complete snapshot of every configured instance,
held against a maximum age (`lookervault backup status --max-age`, for any monitoring system).

Age is the server's creation time, never the name's (clock skew and forged names must not
decide). A snapshot uploaded with --allow-incomplete is not a backup, so it does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import google.cloud.storage as storage

from lookervault.config import Settings
from lookervault.snapshot.catalog import Snapshot, list_snapshots


@dataclass(frozen=True)
class Freshness:
    """One instance: its newest complete snapshot and whether it is recent enough."""

    instance: str
    newest: Snapshot | None
    age: timedelta | None
    max_age: timedelta

    @property
    def fresh(self) -> bool:
        return self.age is not None and self.age <= self.max_age

    def record(self, bucket: str) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "fresh": self.fresh,
            "newest": self.newest.gcs_path(bucket) if self.newest else None,
            "created": self.newest.created.isoformat() if self.newest else None,
            "age_seconds": round(self.age.total_seconds()) if self.age is not None else None,
        }


def newest_complete(snapshots: Iterable[Snapshot]) -> Snapshot | None:
    """The most recently created snapshot that is a whole backup."""
    whole = [snap for snap in snapshots if not snap.incomplete]
    return max(whole, key=lambda snap: (snap.created, snap.name), default=None)


def judge(
    instance: str, snapshots: Iterable[Snapshot], max_age: timedelta, now: datetime
) -> Freshness:
    newest = newest_complete(snapshots)
    age = None if newest is None else now - newest.created
    return Freshness(instance, newest, age, max_age)


def configured_instances(settings: Settings) -> list[str]:
    """The instances the backup job covers (or the one instance of a plain setup)."""
    return [instance.name for instance in settings.instances] or [settings.instance]


def check(
    client: storage.Client, settings: Settings, max_age: timedelta, now: datetime
) -> list[Freshness]:
    bucket = settings.require_bucket()
    return [
        judge(
            name,
            list_snapshots(client, bucket, settings.prefix, name, settings.filename_prefix),
            max_age,
            now,
        )
        for name in configured_instances(settings)
    ]
