"""Content access: who may view or edit a folder or a board. Looker keeps it on the item's
content metadata: whether it inherits (from the parent folder; a board from no one), and
otherwise its own entries, one per group or user.

A restore writes the inheritance, then adds, changes and removes entries until they are the
backup's, and reads them back: an item must not end up open to more people than the backup
says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lookervault.looker.client import api_path
from lookervault.restore import canonical, lookup
from lookervault.restore.canonical import Translate
from lookervault.restore.source import Key
from lookervault.restore.writes import Context, ItemError

Json = dict[str, Any]
GRANT = "/content_metadata_access"


def access_form(item: Json, translate: Translate) -> Json:
    """The item's access as a pseudo-field, where the backup holds it."""
    return {"access": canonical.access_form(item, translate)} if "content_metadata" in item else {}


def write_access(ctx: Context, key: Key, want: Json, target_id: str, grant: str = GRANT) -> None:
    """Who may view or edit the item, as backed up: its inheritance, then its own entries
    (added where missing, changed, and removed where the backup has none). A folder's parent's
    access is written first (apply.py): Looker derives a subfolder's from it. What Looker
    holds afterwards is read back; any difference fails the step. `grant`: the path entries
    are added with."""
    access = want.get("access")
    if access is None:
        return
    item = ctx.target_item(key[0], target_id)
    metadata_id = item.get("content_metadata_id")
    if metadata_id is None:
        raise ItemError("Looker gave it no content metadata to set its access on")
    metadata_id = str(metadata_id)
    have = access_form(item, lambda _type, value: value).get("access") or {"inherits": True}
    wrote = have["inherits"] != access["inherits"]
    if wrote:  # an item Looker just made inherits
        body = {"inherits": access["inherits"]}
        ctx.send("PATCH", "/content_metadata/{id}", key, body, id=metadata_id)
    if not access["inherits"]:
        entries = ctx.get("/content_metadata_access", {"content_metadata_id": metadata_id})
        calls = _access_calls(ctx, key, metadata_id, entries or [], access["entries"], grant)
        ctx.each(calls)
        wrote = wrote or bool(calls)
    if wrote:
        _check_access(ctx, metadata_id, access)


def _access_calls(
    ctx: Context, key: Key, metadata_id: str, entries: list[Json], wanted: list[Json], grant: str
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
            calls.append(functools.partial(ctx.send, "POST", grant, key, body, find=find))
    return calls


def _check_access(ctx: Context, metadata_id: str, access: Json) -> None:
    """Read the access back: Looker may keep what a parent gives, or refuse silently."""
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
            "Looker holds other access for it than was written: "
            f"{canonical.canonical_json(held)} instead of {canonical.canonical_json(access)}; "
            "set it in Looker's Manage Access dialog"
        )


def _holder(entry: Json) -> tuple[str, str]:
    if entry.get("group_id") is not None:
        return "group", str(entry["group_id"])
    return "user", str(entry.get("user_id"))


def _entry_body(entry: Json) -> Json:
    return {k: entry[k] for k in ("permission_type", "group_id", "user_id") if entry.get(k)}
