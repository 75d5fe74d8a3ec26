"""The backup side of a restore: the items of a looker.db as of its last complete run."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lookervault.errors import UsageError
from lookervault.looker import store
from lookervault.looker.content_types import BY_NAME, PART_OWNERS, parts
from lookervault.looker.hosts import InstanceUrls

Json = dict[str, Any]
Key = tuple[str, str]
"""(content type, id) of one item."""


@dataclass
class Source:
    """Every item of a backup by type and id, plus the indexes restore needs to follow refs."""

    path: Path
    host: str
    items: Mapping[str, Mapping[str, Json]]
    instance: InstanceUrls = field(default_factory=InstanceUrls)
    """What the instance said of itself when the backup was made."""
    personal: dict[Key, Key] = field(default_factory=dict)
    """An item that belongs to another and is made with it (a user's personal folder) ->
    that other."""

    @functools.cached_property
    def part_owner(self) -> dict[Key, str]:
        """(part type, id) -> its owner's id. Built when first needed: it reads every
        dashboard and board, which restoring one item need not do."""
        owners = {}
        for part_type, owner_type in PART_OWNERS.items():
            for owner_id, owner in self.items.get(owner_type, {}).items():
                for part in parts(owner, part_type):
                    owners[(part_type, str(part["id"]))] = owner_id
        return owners

    def holder(self, key: Key) -> Key:
        """The item a part lives in (a tile's dashboard); any other key as it is."""
        owner = self.part_owner.get(key) if key[0] in PART_OWNERS else None
        return (PART_OWNERS[key[0]], owner) if owner else key

    def get(self, key: Key) -> Json | None:
        return self.items.get(key[0], {}).get(key[1])

    def keys(self, type_name: str) -> list[Key]:
        return [(type_name, item_id) for item_id in self.items.get(type_name, {})]

    def title(self, key: Key) -> str:
        return BY_NAME[key[0]].title_of(self.get(key) or {}) or key[1]

    def folder_subtree(self, folder_id: str, recursive: bool) -> set[str]:
        """The folder and, with `recursive`, every folder below it."""
        folders = self.items.get("folders", {})
        if folder_id not in folders:
            raise UsageError(
                f"Folder {folder_id} is not in the backup.",
                "Pass the id of a folder as it was when the backup was made "
                "(`sqlite3 looker.db \"select id, title from content where type='folders'\"`).",
            )
        found = {folder_id}
        while recursive:
            more = {i for i, f in folders.items() if f.get("parent_id") in found} - found
            if not more:
                break
            found |= more
        return found


def open_source(path: Path) -> Source:
    """Read a backup; refuse a file that holds no completed extraction run."""
    backup = store.read_backup(path)
    items = {name: found for name, found in backup.items.items() if name in BY_NAME}
    source = Source(path, backup.run.looker_host, items, backup.instance)
    for ct in BY_NAME.values():
        for ref in (ref for ref in ct.references if ref.personal):
            for holder_id, holder in items.get(ct.name, {}).items():
                if holder.get(ref.path):
                    source.personal[(ref.type, str(holder[ref.path]))] = (ct.name, holder_id)
    return source


def parse_id_option(values: Iterable[str]) -> list[Key]:
    """`--id TYPE:ID` values as keys; exit 2 naming a malformed or unknown one."""
    keys = []
    for value in values:
        type_name, sep, item_id = value.partition(":")
        if not sep or not item_id or type_name not in BY_NAME:
            raise UsageError(
                f"--id {value!r} is not TYPE:ID.",
                "For example --id dashboards:42; types: " + ", ".join(BY_NAME) + ".",
            )
        keys.append((type_name, item_id))
    return keys
