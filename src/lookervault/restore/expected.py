"""What a restore into another instance promises to leave of a backup, item by item.

A drill (or a test) restores a backup and compares what came back with the backup. A restore
does not bring everything back verbatim, and says so in its plan: schedules and alerts arrive
switched off, items that name something Looker itself held dangling are left out, and some
are adjusted (a fallback owner, a query tile for a deleted look). This applies exactly what
the plan said to the backed-up items, so the comparison shows only broken promises.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from lookervault.looker.content_types import BY_NAME
from lookervault.restore import canonical
from lookervault.restore.plan import Plan, quieted
from lookervault.restore.resolver import LOOKER_HELD
from lookervault.restore.types.base import Adjustment

Json = dict[str, Any]
Items = Mapping[str, Mapping[str, Json]]

FALLBACK = "fallback-owner"
"""The key the fallback owner's own item gets among the expected users."""


def as_restored(items: Items, plan: Plan, fallback: Json | None) -> dict[str, dict[str, Json]]:
    """`items` as the restore `plan` leaves them in another instance; `fallback`: the target's
    fallback owner as read back (it owns what a user who left owned). It stands for the
    backed-up user of the same email, if there is one; otherwise only what names it is kept:
    its own ids mean nothing here, and it is no backed-up user to compare."""
    found = quieted(items) if not plan.enable_schedules else {t: dict(v) for t, v in items.items()}
    owner = _owner(found, fallback)
    for step in plan.steps.values():
        type_name, item_id = step.key
        if step.action == "skip" and LOOKER_HELD in (step.reason or ""):
            found.get(type_name, {}).pop(item_id, None)
            continue
        if not step.adjustments or item_id not in found.get(type_name, {}):
            continue
        item = copy.deepcopy(found[type_name][item_id])
        for adjustment in step.adjustments:
            _adjust(type_name, item, adjustment, owner)
        found[type_name][item_id] = item
    return found


def _owner(found: dict[str, dict[str, Json]], fallback: Json | None) -> str:
    if fallback is None:
        return FALLBACK
    email = _email(fallback)
    users = found.setdefault("users", {})
    same = next((i for i, u in users.items() if email and _email(u) == email), None)
    if same is not None:
        return same
    naming = ("email", "credentials_email", "display_name", "first_name", "last_name")
    users[FALLBACK] = {k: fallback.get(k) for k in naming}
    return FALLBACK


def _email(user: Json) -> Any:
    return user.get("email") or (user.get("credentials_email") or {}).get("email")


def _adjust(type_name: str, item: Json, adjustment: Adjustment, owner: str) -> None:
    owner_field = BY_NAME[type_name].written_owner
    if adjustment.kind == "owner" and owner_field:
        item[owner_field] = owner
    elif adjustment.kind == "query_tile":
        for element in item.get("dashboard_elements") or []:
            if str(element["id"]) == adjustment.part:
                element.update(look_id=None, look=None, query=canonical.stored_query(element))
    elif adjustment.kind == "tile_left_out":
        item["dashboard_elements"] = [
            e for e in item.get("dashboard_elements") or [] if str(e["id"]) != adjustment.part
        ]
        for layout in item.get("dashboard_layouts") or []:
            layout["dashboard_layout_components"] = [
                c
                for c in layout.get("dashboard_layout_components") or []
                if str(c.get("dashboard_element_id")) != adjustment.part
            ]
    elif adjustment.kind == "board_item_left_out":
        for section in item.get("board_sections") or []:
            section["board_items"] = [
                i for i in section.get("board_items") or [] if str(i["id"]) != adjustment.part
            ]
            section["item_order"] = [
                i for i in section.get("item_order") or [] if str(i) != adjustment.part
            ]
