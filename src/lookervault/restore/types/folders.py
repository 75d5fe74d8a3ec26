"""Folders: their name and place, then who may see them (their access, the step's second
call), top-down: Looker derives a subfolder's access from its parent's.

The instance's own folders (the Shared and Users roots, each user's personal folder) are
looked up, never made; a restore changes only their access.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lookervault.looker.content_types import FOLDERS
from lookervault.restore.access import access_form, write_access
from lookervault.restore.resolver import is_looked_up
from lookervault.restore.source import Key, Source
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, write_plain

Json = dict[str, Any]


def write_folder(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A folder's name and place; a system folder is Looker's own (only its access, the
    step's second call, is restored)."""
    if target_id is not None and is_looked_up(ctx.plan.source, key):
        return target_id
    return write_plain(ctx, key, want, target_id)


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
    pseudo=access_form,
    write=write_folder,
    late_write=write_access,
    brings=shared_root,
    system_changes=frozenset({"access"}),
)
