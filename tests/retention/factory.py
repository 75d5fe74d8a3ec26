"""Building `Snapshot` values for policy tests (no bucket needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lookervault.snapshot.catalog import INCOMPLETE_KEY, PROTECTED_KEY, Snapshot
from lookervault.snapshot.naming import build_name

NOW = datetime(2025, 6, 15, 12, 0, 0, tzinfo=UTC)


def make_snapshot(
    created: datetime,
    *,
    named: datetime | None = None,
    instance: str = "default",
    protected: bool = False,
    hold: bool = False,
    size_bytes: int = 100,
    generation: int = 1,
    incomplete: bool = False,
) -> Snapshot:
    """A snapshot created at `created`, named after `named` (default: the same moment)."""
    name = build_name("snapshots/", instance, "looker", named or created)
    return Snapshot(
        name=name.object_name,
        instance=instance,
        filename=name.filename,
        timestamp=name.timestamp,
        created=created,
        generation=generation,
        size_bytes=size_bytes,
        crc32c="AAAAAA==",
        metadata={
            **({PROTECTED_KEY: "legal hold"} if protected else {}),
            **({INCOMPLETE_KEY: "its last extraction did not complete"} if incomplete else {}),
        },
        temporary_hold=hold,
    )


def days_ago(days: float, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)
