"""`content list` and `content show`: what a backup holds, without sqlite3 and json_extract.

A listing reads only the columns the store keeps beside each object (title, folder, owner,
updated, deleted), so it stays quick on a large backup. Like restore and export, it shows the
items Looker held at the backup's last extraction run (soft-deleted ones included).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from lookervault.errors import NotFoundError, UsageError
from lookervault.looker import store
from lookervault.looker.content_types import FOLDERS, REGISTRY, TYPE_NAMES, id_order

PATH_SEPARATOR = " / "


OWNERS = frozenset(r.type for ct in REGISTRY for r in ct.references if r.path == ct.owner_field)
"""The types owners are of (users)."""


@dataclass(frozen=True)
class Filters:
    """Which items to list; every filter given must hold."""

    types: tuple[str, ...] = ()
    search: str | None = None
    folder: str | None = None
    recursive: bool = False
    owner: str | None = None
    deleted: bool | None = None


@dataclass(frozen=True)
class Entry:
    """One listed item: its columns, with the folder as a path and the owner by name."""

    type: str
    id: str
    title: str | None
    folder_id: str | None
    folder: str | None
    owner_id: str | None
    owner: str | None
    updated_at: str | None
    deleted: bool

    def record(self) -> dict[str, Any]:
        return asdict(self)


def folder_paths(folders: Mapping[str, tuple[str | None, str | None]]) -> dict[str, str]:
    """folder id -> "Shared / Sales / EMEA", from id -> (name, parent id)."""
    paths: dict[str, str] = {}

    def path_of(folder_id: str, seen: frozenset[str]) -> str:
        if folder_id in paths:
            return paths[folder_id]
        name, parent = folders[folder_id]
        label = name or folder_id
        if parent is None or parent not in folders or parent in seen:
            found = label
        else:
            found = path_of(parent, seen | {folder_id}) + PATH_SEPARATOR + label
        paths[folder_id] = found
        return found

    for folder_id in folders:
        path_of(folder_id, frozenset({folder_id}))
    return paths


def subtree(folders: Mapping[str, tuple[str | None, str | None]], root: str) -> set[str]:
    """The folder and every folder below it."""
    found = {root}
    while True:
        more = {f for f, (_, parent) in folders.items() if parent in found} - found
        if not more:
            return found
        found |= more


def list_content(conn: sqlite3.Connection, filters: Filters) -> list[Entry]:
    """The backup's items that pass `filters`, in registry order, then by id."""
    summaries = list(store.current_summaries(conn))
    folders = {s.id: (s.title, s.folder_id) for s in summaries if s.type == FOLDERS}
    people = {s.id: s.title for s in summaries if s.type in OWNERS}
    paths = folder_paths(folders)
    in_folders: set[str] | None = None
    if filters.folder is not None:
        if filters.folder not in folders:
            raise UsageError(
                f"Folder {filters.folder} is not in the backup.",
                "List the folders with `lookervault content list folders`.",
            )
        in_folders = subtree(folders, filters.folder) if filters.recursive else {filters.folder}
    wanted = set(filters.types or TYPE_NAMES)
    search = filters.search.casefold() if filters.search else None
    entries = []
    for s in summaries:
        if s.type not in wanted:
            continue
        if search is not None and search not in (s.title or "").casefold():
            continue
        if in_folders is not None and s.folder_id not in in_folders:
            continue
        if filters.owner is not None and s.owner_id != filters.owner:
            continue
        if filters.deleted is not None and s.deleted != filters.deleted:
            continue
        folder = None if s.folder_id is None else paths.get(s.folder_id, s.folder_id)
        owner = None if s.owner_id is None else people.get(s.owner_id, s.owner_id)
        entries.append(
            Entry(
                s.type,
                s.id,
                s.title,
                s.folder_id,
                folder,
                s.owner_id,
                owner,
                s.updated_at,
                s.deleted,
            )
        )
    order = {name: i for i, name in enumerate(TYPE_NAMES)}
    return sorted(entries, key=lambda e: (order.get(e.type, len(order)), id_order(e.id)))


def show(conn: sqlite3.Connection, type_name: str, item_id: str) -> dict[str, Any]:
    """The stored object; exit 3 when the backup does not hold it."""
    item = store.current_item(conn, type_name, item_id)
    if item is None:
        raise NotFoundError(
            f"The backup holds no {type_name} with id {item_id!r}.",
            f"List them with `lookervault content list {type_name}`.",
        )
    return item


def type_counts(entries: Iterable[Entry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.type] = counts.get(entry.type, 0) + 1
    return counts
