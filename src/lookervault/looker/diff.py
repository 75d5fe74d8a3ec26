"""What changed between two backups of one Looker instance, item by item.

Items are matched by (type, id): within one instance an id names the same item over time.
An item is added, removed (Looker no longer had it: permanently deleted), soft-deleted (moved
to the trash), undeleted (taken out of it) or changed. Fields Looker maintains by itself (view
counts, last viewed, updated_at, ...) and copies of other items inside an item are never
changes: the one list of them is `looker/compare.py`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lookervault.looker.compare import maintained_by_looker
from lookervault.looker.content_types import BY_NAME, TYPE_NAMES, id_order

Json = dict[str, Any]
Items = Mapping[str, Mapping[str, Json]]
"""type -> id -> object, as extraction stores them."""

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
SOFT_DELETED = "soft-deleted"
UNDELETED = "undeleted"
KINDS = (ADDED, REMOVED, CHANGED, SOFT_DELETED, UNDELETED)
TRASH_FIELD = "deleted"
DERIVED_TEXT = frozenset({"lookml"})
"""A dashboard's LookML restates its own fields: a change shows there when nothing else
changed (something the backup holds no other way), and is left out beside other changes."""


@dataclass(frozen=True)
class ItemChange:
    """One item that differs; `fields` names the top-level fields whose content changed."""

    type: str
    id: str
    kind: str
    title: str
    old_title: str | None = None
    """The title before, when the change renamed the item."""
    fields: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "change": self.kind,
            "title": self.title,
            "old_title": self.old_title,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class ContentDiff:
    """Every change between two backups, in type order then id order."""

    types: tuple[str, ...]
    changes: tuple[ItemChange, ...]
    compared: int
    """Items looked at, both sides together."""

    def counts(self) -> dict[str, dict[str, int]]:
        """type -> kind -> how many; only types with a change."""
        found: dict[str, dict[str, int]] = {}
        for change in self.changes:
            per_type = found.setdefault(change.type, {})
            per_type[change.kind] = per_type.get(change.kind, 0) + 1
        return found


@dataclass(frozen=True)
class FieldChange:
    """One value that differs inside an item. `path` walks dicts by key and lists of parts by
    their id (`dashboard_elements[id=12].title`); `ignored` marks a field Looker maintains."""

    path: str
    old: Any
    new: Any
    ignored: bool = False
    absent_before: bool = False
    absent_after: bool = False

    def record(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "ignored": self.ignored,
            "absent_before": self.absent_before,
            "absent_after": self.absent_after,
        }


_ABSENT: Any = object()


def diff_items(old: Items, new: Items, types: Iterable[str] | None = None) -> ContentDiff:
    """How `new` differs from `old` (both from the same Looker instance)."""
    chosen = tuple(types) if types else tuple(t for t in TYPE_NAMES if t in old or t in new)
    changes: list[ItemChange] = []
    compared = 0
    for type_name in chosen:
        before, after = old.get(type_name, {}), new.get(type_name, {})
        compared += len(before) + len(after)
        for item_id in sorted(set(before) | set(after), key=id_order):
            change = item_change(type_name, item_id, before.get(item_id), after.get(item_id))
            if change is not None:
                changes.append(change)
    return ContentDiff(chosen, tuple(changes), compared)


def item_change(
    type_name: str, item_id: str, old: Json | None, new: Json | None
) -> ItemChange | None:
    """The change of one item, or None when only fields Looker maintains differ."""
    title_of = BY_NAME[type_name].title_of
    if old is None and new is None:
        return None
    if old is None or new is None:
        kind = ADDED if old is None else REMOVED
        return ItemChange(type_name, item_id, kind, title_of(new or old or {}) or item_id)
    fields = tuple(
        key
        for key in sorted(set(old) | set(new))
        if key != TRASH_FIELD
        and not maintained_by_looker(key)
        and _kept(old.get(key, _ABSENT)) != _kept(new.get(key, _ABSENT))
    )
    if set(fields) - DERIVED_TEXT:
        fields = tuple(f for f in fields if f not in DERIVED_TEXT)
    was_trashed, is_trashed = bool(old.get(TRASH_FIELD)), bool(new.get(TRASH_FIELD))
    if is_trashed and not was_trashed:
        kind = SOFT_DELETED
    elif was_trashed and not is_trashed:
        kind = UNDELETED
    elif fields:
        kind = CHANGED
    else:
        return None
    title, old_title = title_of(new) or item_id, title_of(old) or item_id
    renamed = old_title if old_title != title else None
    return ItemChange(type_name, item_id, kind, title, renamed, fields)


def field_changes(old: Json | None, new: Json | None) -> list[FieldChange]:
    """Every value that differs between two versions of one item, ignored ones included."""
    found: list[FieldChange] = []
    if old is None or new is None:  # added or removed: each top-level field with a value
        whole = old if new is None else new
        for key, value in sorted((whole or {}).items()):
            if value is None:
                continue
            ignored = maintained_by_looker(key)
            _walk(
                key,
                _ABSENT if old is None else value,
                value if old is None else _ABSENT,
                ignored,
                found,
            )
        return _restating_ignored(found)
    _walk("", old, new, False, found)
    return _restating_ignored(found)


def _restating_ignored(found: list[FieldChange]) -> list[FieldChange]:
    """`DERIVED_TEXT` beside other counted changes is ignored, as `item_change` leaves it out
    (Looker writes a dashboard's LookML from the dashboard itself)."""

    def top(path: str) -> str:
        return path.split(".", 1)[0].split("[", 1)[0]

    if all(f.ignored or top(f.path) in DERIVED_TEXT for f in found):
        return found
    return [replace(f, ignored=True) if top(f.path) in DERIVED_TEXT else f for f in found]


def _walk(path: str, old: Any, new: Any, ignored: bool, found: list[FieldChange]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            inner = f"{path}.{key}" if path else key
            skip = ignored or maintained_by_looker(key)
            _walk(inner, old.get(key, _ABSENT), new.get(key, _ABSENT), skip, found)
        return
    if _parts(old) and _parts(new):
        before = {str(p["id"]): p for p in old}
        after = {str(p["id"]): p for p in new}
        for part_id in sorted(set(before) | set(after), key=id_order):
            inner = f"{path}[id={part_id}]"
            _walk(inner, before.get(part_id, _ABSENT), after.get(part_id, _ABSENT), ignored, found)
        return
    found.append(
        FieldChange(
            path,
            None if old is _ABSENT else old,
            None if new is _ABSENT else new,
            ignored,
            absent_before=old is _ABSENT,
            absent_after=new is _ABSENT,
        )
    )


def _kept(value: Any) -> Any:
    """A value without the fields Looker maintains, at any depth."""
    if isinstance(value, dict):
        return {k: _kept(v) for k, v in value.items() if not maintained_by_looker(k)}
    if isinstance(value, list):
        return [_kept(v) for v in value]
    return value


def _parts(value: Any) -> bool:
    """A list of objects each with an id: tiles, filters, sections (matched by id)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("id") is not None for v in value)
    )
