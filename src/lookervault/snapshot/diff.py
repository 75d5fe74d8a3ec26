"""`snapshot diff`: what changed between two snapshots, or between a snapshot and a database.

Snapshots come through the verified download into the bounded local cache of
`snapshot/copies.py`, keyed by the object's generation and CRC32C, so a second diff of the same
snapshot downloads nothing; without the cache each one goes to a private temporary folder that
is removed at once. Each side is read as of its last completed extraction run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import google.cloud.storage as storage

from lookervault.config import Settings
from lookervault.errors import NotFoundError
from lookervault.looker import diff as content
from lookervault.looker import store
from lookervault.looker.diff import ContentDiff, FieldChange, ItemChange
from lookervault.snapshot import refs
from lookervault.snapshot.catalog import Snapshot
from lookervault.snapshot.copies import settings_cached_copy, temporary_copy
from lookervault.snapshot.naming import iso_utc
from lookervault.snapshot.refs import Resolved

Key = tuple[str, str]


@dataclass(frozen=True)
class Side:
    """One side of a diff: where its content comes from, and when Looker held it."""

    label: str
    looker_host: str
    extracted_at: datetime
    snapshot: Snapshot | None = None
    bucket: str | None = None
    database: Path | None = None
    downloaded: bool = False
    """A download was needed (False: answered from the local cache, or a local database)."""

    def record(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "label": self.label,
            "looker_host": self.looker_host,
            "extracted_at": iso_utc(self.extracted_at),
        }
        if self.snapshot is not None and self.bucket is not None:
            found |= {
                "snapshot": self.snapshot.name,
                "gcs_path": self.snapshot.gcs_path(self.bucket),
                "timestamp": iso_utc(self.snapshot.timestamp),
                "downloaded": self.downloaded,
            }
        if self.database is not None:
            found["database"] = str(self.database)
        return found


@dataclass(frozen=True)
class ItemDetail:
    """One item's field-level difference (`--id TYPE:ID`)."""

    type: str
    id: str
    change: ItemChange | None
    """None: the item is the same on both sides, up to fields Looker maintains."""
    fields: list[FieldChange] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "change": self.change.kind if self.change else "unchanged",
            "title": self.change.title if self.change else None,
            "fields": [f.record() for f in self.fields],
        }


@dataclass(frozen=True)
class Report:
    before: Side
    after: Side
    diff: ContentDiff
    """With `item`, the diff of that item alone."""
    item: ItemDetail | None = None

    @property
    def same_host(self) -> bool:
        return self.before.looker_host == self.after.looker_host

    @property
    def downloads(self) -> int:
        return int(self.before.downloaded) + int(self.after.downloaded)

    def record(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "from": self.before.record(),
            "to": self.after.record(),
            "same_host": self.same_host,
        }
        if self.item is not None:
            return found | {"item": self.item.record()}
        return found | {
            "types": list(self.diff.types),
            "compared_items": self.diff.compared,
            "counts": self.diff.counts(),
            "changes": [c.record() for c in self.diff.changes],
        }


def diff_snapshots(
    client: storage.Client,
    settings: Settings,
    ref_before: str,
    ref_after: str,
    types: tuple[str, ...] = (),
    item: Key | None = None,
    use_cache: bool = True,
) -> Report:
    """What changed from snapshot `ref_before` to snapshot `ref_after`."""
    first = refs.resolve(client, settings, ref_before)
    second = refs.resolve(client, settings, ref_after)
    return diff_resolved(client, settings, first, second, types, item, use_cache)


def diff_resolved(
    client: storage.Client,
    settings: Settings,
    first: Resolved,
    second: Resolved,
    types: tuple[str, ...] = (),
    item: Key | None = None,
    use_cache: bool = True,
) -> Report:
    """What changed from one listed snapshot to another (the browser holds them listed)."""
    before, old = _snapshot_side(client, settings, first, use_cache)
    after, new = _snapshot_side(client, settings, second, use_cache)
    return _report(before, old, after, new, types, item)


def diff_with_database(
    client: storage.Client,
    settings: Settings,
    ref: str,
    database: Path,
    types: tuple[str, ...] = (),
    item: Key | None = None,
    use_cache: bool = True,
) -> Report:
    """What changed from snapshot `ref` to a local database (e.g. a fresh `extract`)."""
    local = store.read_backup(database)
    before, old = _snapshot_side(client, settings, refs.resolve(client, settings, ref), use_cache)
    after = Side(str(database), local.run.looker_host, local.run.started_at, database=database)
    return _report(before, old, after, local, types, item)


def _snapshot_side(
    client: storage.Client, settings: Settings, resolved: Resolved, use_cache: bool
) -> tuple[Side, store.Backup]:
    if use_cache:
        path, downloaded = settings_cached_copy(client, settings, resolved)
        backup = store.read_backup(path, immutable=True)
    else:
        with temporary_copy(client, resolved, settings.work_dir) as path:
            backup = store.read_backup(path, immutable=True)
        downloaded = True
    snap = resolved.snapshot
    side = Side(
        label=refs.describe(snap),
        looker_host=backup.run.looker_host,
        extracted_at=backup.run.started_at,
        snapshot=snap,
        bucket=resolved.bucket,
        downloaded=downloaded,
    )
    return side, backup


def _report(
    before: Side,
    old: store.Backup,
    after: Side,
    new: store.Backup,
    types: tuple[str, ...],
    item: Key | None,
) -> Report:
    if item is not None:
        return _item_report(before, old, after, new, item)
    return Report(before, after, content.diff_items(old.items, new.items, types))


def _item_report(
    before: Side, old: store.Backup, after: Side, new: store.Backup, item: Key
) -> Report:
    """Only `item` is compared, so nothing about another item can reach the output."""
    type_name, item_id = item
    old_item, new_item = old.get(type_name, item_id), new.get(type_name, item_id)
    if old_item is None and new_item is None:
        raise NotFoundError(
            f"{type_name} {item_id} is on neither side of the diff.",
            f"Check the id: `lookervault content list {type_name} --from-snapshot REF` (or "
            "--db PATH) lists the ids a side holds.",
        )
    one = content.diff_items(
        _only(type_name, item_id, old_item), _only(type_name, item_id, new_item), (type_name,)
    )
    fields = content.field_changes(old_item, new_item)
    detail = ItemDetail(type_name, item_id, next(iter(one.changes), None), fields)
    return Report(before, after, one, detail)


def _only(type_name: str, item_id: str, found: content.Json | None) -> content.Items:
    return {type_name: {} if found is None else {item_id: found}}
