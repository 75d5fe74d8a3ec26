"""Alerts: replaced whole (PUT), on the tile they watch, owned and switched as backed up.

The spec promises neither the owner nor the switch of a create: both are read back from
Looker's answer and set through `update_alert_field` (PATCH) where Looker ignored them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lookervault.restore import canonical
from lookervault.restore.canonical import Translate
from lookervault.restore.resolver import LOOKER_HELD
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import (
    Context,
    ItemError,
    changed_fields,
    create,
    settle,
    top_body,
    update,
)

if TYPE_CHECKING:
    from lookervault.restore.resolver import Resolver

Json = dict[str, Any]
CHECKED = ("owner_id", "is_disabled")
"""What Looker may ignore in a create (the spec documents neither)."""


def write_alert(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Alerts are replaced whole (PUT), so an update sends every field. The spec promises
    neither the owner nor the switch of a create: both are read back from the answer and set
    through `update_alert_field` (PATCH) where Looker ignored them."""
    if want.get("dashboard_element_id") is None and ctx.source_item(key).get(
        "dashboard_element_id"
    ):
        raise ItemError("the tile it watches was not restored")
    if target_id is None:
        target_id = create(ctx, key, top_body(want, key[0]))
    elif changed_fields(ctx, key, want, target_id):
        whole = canonical.current(key[0], ctx.target_item(key[0], target_id)) | want
        update(ctx, key, target_id, top_body(whole, key[0]))
    else:
        return target_id
    settle(ctx, key, target_id, want, CHECKED)
    return target_id


def watched_tile_left_out(resolver: Resolver, item: Json, translate: Translate) -> str | None:
    """The tile the alert watches is left out of its dashboard (its look is nowhere and the
    backup has no query for it)."""
    tile = item.get("dashboard_element_id")
    part = ("dashboard_elements", str(tile))
    holder = resolver.source.part_owner.get(part) if tile else None
    if holder is None:
        return None
    dashboard = resolver.source.get(resolver.source.holder(part)) or {}
    tiles = [e for e in dashboard.get("dashboard_elements") or [] if str(e["id"]) == str(tile)]
    if tiles and canonical.left_out(canonical.element_form(tiles[0], translate, None)):
        return f"the tile it watches, {tile}, is left out of its dashboard: {LOOKER_HELD}"
    return None


HANDLER = Handler(write=write_alert, left_out=watched_tile_left_out)
