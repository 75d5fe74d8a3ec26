"""Folders: their name and place, then who may see them (their access, the step's second
call), top-down: Looker derives a subfolder's access from its parent's.

The instance's own folders (the Shared and Users roots, each user's personal folder) are
looked up, never made; a restore changes only their access.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from lookervault.looker.client import api_path
from lookervault.looker.content_types import FOLDERS
from lookervault.restore import canonical, lookup
from lookervault.restore.canonical import Translate
from lookervault.restore.resolver import is_looked_up
from lookervault.restore.source import Key, Source
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, ItemError, write_plain

Json = dict[str, Any]


def folder_access(item: Json, translate: Translate) -> Json:
    return {"access": canonical.access_form(item, translate)} if "content_metadata" in item else {}


def write_folder(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A folder's name and place; a system folder is Looker's own (only its access, the
    step's second call, is restored)."""
    if target_id is not None and is_looked_up(ctx.plan.source, key):
        return target_id
    return write_plain(ctx, key, want, target_id)


def write_folder_access(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """Who may view or edit the folder, as backed up: its inheritance, then its own entries
    (added where missing, changed, and removed where the backup has none). Its parent's
    access is written first (apply.py): Looker derives a subfolder's from it. What Looker
    holds afterwards is read back; any difference fails the step."""
    access = want.get("access")
    if access is None:
        return
    folder = ctx.target_item(key[0], target_id)
    metadata_id = folder.get("content_metadata_id")
    if metadata_id is None:
        raise ItemError("Looker gave the folder no content metadata to set its access on")
    metadata_id = str(metadata_id)
    have = folder_access(folder, lambda _type, value: value).get("access") or {"inherits": True}
    wrote = have["inherits"] != access["inherits"]
    if wrote:  # a folder Looker just made inherits
        body = {"inherits": access["inherits"]}
        ctx.send("PATCH", "/content_metadata/{id}", key, body, id=metadata_id)
    if not access["inherits"]:
        entries = ctx.get("/content_metadata_access", {"content_metadata_id": metadata_id})
        calls = _access_calls(ctx, key, metadata_id, entries or [], access["entries"])
        ctx.each(calls)
        wrote = wrote or bool(calls)
    if wrote:
        _check_access(ctx, metadata_id, access)


def _access_calls(
    ctx: Context, key: Key, metadata_id: str, entries: list[Json], wanted: list[Json]
) -> list[Callable[[], Any]]:
    current = {_holder(entry): entry for entry in entries}
    wanted_entries = {_holder(entry): entry for entry in wanted}
    path = "/content_metadata_access/{id}"
    calls: list[Callable[[], Any]] = []
    for holder, entry in current.items():
        if holder not in wanted_entries:
            calls.append(functools.partial(ctx.send, "DELETE", path, key, id=str(entry["id"])))
        elif wanted_entries[holder]["permission_type"] != entry.get("permission_type"):
            body = {**_entry_body(wanted_entries[holder]), "content_metadata_id": metadata_id}
            calls.append(functools.partial(ctx.send, "PUT", path, key, body, id=str(entry["id"])))
    client = ctx.plan.target.client
    for holder, entry in wanted_entries.items():
        if holder not in current:
            body = {**_entry_body(entry), "content_metadata_id": metadata_id}
            find = lookup.access_entry(client, metadata_id, body)
            calls.append(
                functools.partial(
                    ctx.send, "POST", "/content_metadata_access", key, body, find=find
                )
            )
    return calls


def _check_access(ctx: Context, metadata_id: str, access: Json) -> None:
    """Read the folder's access back: Looker may keep what a parent gives, or refuse
    silently; a folder must not end up open to more people than the backup says."""
    meta = ctx.get(api_path("/content_metadata/{id}", metadata_id), {"fields": "id,inherits"})
    entries = None
    if not (meta or {}).get("inherits", True):
        entries = ctx.get("/content_metadata_access", {"content_metadata_id": metadata_id})
    held = canonical.access_form(
        {"content_metadata": meta or {}, "content_metadata_access": entries or []},
        lambda _type, value: value,
    )
    if canonical.canonical_json(held) != canonical.canonical_json(access):
        raise ItemError(
            "Looker holds other access for the folder than was written: "
            f"{canonical.canonical_json(held)} instead of {canonical.canonical_json(access)}; "
            "set it in Looker's Manage Access dialog"
        )


def _holder(entry: Json) -> tuple[str, str]:
    if entry.get("group_id") is not None:
        return "group", str(entry["group_id"])
    return "user", str(entry.get("user_id"))


def _entry_body(entry: Json) -> Json:
    return {k: entry[k] for k in ("permission_type", "group_id", "user_id") if entry.get(k)}


def shared_root(source: Source, chosen: Mapping[Key, Key | None]) -> list[Key]:
    """The Shared folder, when the backup holds its access and a folder below it with access
    of its own is chosen: Looker derives a subfolder's access from its parent's, so the
    root's is restored first."""
    folders = source.items.get(FOLDERS, {})
    root = next((i for i, f in folders.items() if f.get("is_shared_root")), None)
    if root is None or "content_metadata" not in folders[root]:
        return []
    below = any(
        kind == FOLDERS
        and _own_access(source.get((kind, item_id)) or {})
        and root in _ancestors(source, item_id)
        for kind, item_id in chosen
    )
    return [(FOLDERS, root)] if below else []


def _own_access(folder: Json) -> bool:
    return (folder.get("content_metadata") or {}).get("inherits") is False


def _ancestors(source: Source, folder_id: str) -> list[str]:
    found: list[str] = []
    parent = (source.get((FOLDERS, folder_id)) or {}).get("parent_id")
    while parent is not None and str(parent) not in found:
        found.append(str(parent))
        parent = (source.get((FOLDERS, str(parent))) or {}).get("parent_id")
    return found


HANDLER = Handler(
    pseudo=folder_access,
    write=write_folder,
    late_write=write_folder_access,
    brings=shared_root,
    system_changes=frozenset({"access"}),
)
