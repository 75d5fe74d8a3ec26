"""User attributes: the attribute, then its group values (one call replaces them all, in
priority order)."""

from __future__ import annotations

from typing import Any

from lookervault.restore.canonical import Translate
from lookervault.restore.source import Key
from lookervault.restore.target import again
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, ItemError, changed_fields, write_plain

Json = dict[str, Any]


def group_values(item: Json, translate: Translate) -> Json:
    values = sorted(item.get("group_values") or [], key=lambda v: v.get("rank") or 0)
    return {
        "group_values": [
            {"group_id": translate("groups", str(v["group_id"])), "value": v.get("value")}
            for v in values
        ]
    }


def write_user_attribute(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """An attribute, then its group values (one call replaces them all, in priority order)."""
    created = target_id is None
    changed = [] if created else changed_fields(ctx, key, want, target_id or "")
    target_id = write_plain(ctx, key, want, target_id)
    values = want.get("group_values") or []
    if (created and values) or "group_values" in changed:
        if any(v["group_id"] is None for v in values):
            raise ItemError("a group value names a group that is neither backed up nor in Looker")
        path = "/user_attributes/{id}/group_values"
        ctx.send("POST", path, key, values, find=again, id=target_id)
    return target_id


HANDLER = Handler(pseudo=group_values, write=write_user_attribute)
