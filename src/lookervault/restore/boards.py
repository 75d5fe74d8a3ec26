"""Restore one board: its fields, its sections, their items, then both orders.

Sections and items are written one by one (RESTORE-FACTS, "Boards"); `section_order` and
`item_order` hold ids, so they are set last, with the target's ids. Sections and items the
backup does not have are deleted.
"""

from __future__ import annotations

from typing import Any

from lookervault.restore import canonical
from lookervault.restore.source import Key
from lookervault.restore.writes import (
    Context,
    ItemError,
    changed_fields,
    create,
    create_part,
    pair_parts,
    top_body,
    update,
)

Json = dict[str, Any]


def write_board(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    if target_id is None:
        target_id = create(ctx, key, top_body(want, "boards"))
        changed = ["board_sections"]
    else:
        changed = changed_fields(ctx, key, want, target_id)
        update(ctx, key, target_id, top_body(want, "boards", changed))
    if "board_sections" in changed:
        _write_sections(ctx, key, target_id)
    return target_id


def _write_sections(ctx: Context, key: Key, target_id: str) -> None:
    backup = ctx.source_item(key)
    target = ctx.target_item("boards", target_id)  # as last read, or as its create answered
    same = target_id == key[1]
    have = {str(s["id"]): s for s in target.get("board_sections") or []}
    sections = canonical.ordered(backup.get("board_sections") or [], backup.get("section_order"))
    pairs = pair_parts(ctx, "board_sections", sections, set(have), same)
    for extra in set(have) - set(pairs.values()):
        ctx.send("DELETE", "/board_sections/{id}", key, id=extra)
    for section in sections:
        source_id = str(section["id"])
        form = {k: section.get(k) for k in sorted(canonical.SECTION_FIELDS) if k in section}
        existing: Json | None = None
        if source_id in pairs:
            existing = have[pairs[source_id]]
            diff = canonical.differing(form, existing)
            if diff:
                ctx.send("PATCH", "/board_sections/{id}", key, diff, id=pairs[source_id])
            ctx.plan.resolver.record(("board_sections", source_id), pairs[source_id])
        else:
            body = {"board_id": target_id} | {k: v for k, v in form.items() if v is not None}
            pairs[source_id] = create_part(
                ctx, key, "/board_sections", body, "board_sections", source_id
            )
        _write_items(ctx, key, section, pairs[source_id], existing, same)
    order = [pairs[str(s["id"])] for s in sections]
    if [str(i) for i in target.get("section_order") or []] != order:
        update(ctx, key, target_id, {"section_order": order})


def _write_items(
    ctx: Context, key: Key, section: Json, section_id: str, existing: Json | None, same: bool
) -> None:
    """A section's items (its extras deleted), then its `item_order` with the target's ids."""
    have = {str(i["id"]): i for i in (existing or {}).get("board_items") or []}
    items = canonical.ordered(section.get("board_items") or [], section.get("item_order"))
    pairs = pair_parts(ctx, "board_items", items, set(have), same)
    for extra in set(have) - set(pairs.values()):
        ctx.send("DELETE", "/board_items/{id}", key, id=extra)
    for item in items:
        source_id = str(item["id"])
        form = canonical.board_item_form(item, ctx.translate)
        if form.get("dashboard_id", "") is None or form.get("look_id", "") is None:
            raise ItemError("a board item points at content neither backed up nor in Looker")
        if source_id in pairs:
            diff = canonical.differing(form, have[pairs[source_id]])
            if diff:
                ctx.send("PATCH", "/board_items/{id}", key, diff, id=pairs[source_id])
            ctx.plan.resolver.record(("board_items", source_id), pairs[source_id])
        else:
            body = {"board_section_id": section_id} | {
                k: v for k, v in form.items() if v is not None
            }
            pairs[source_id] = create_part(ctx, key, "/board_items", body, "board_items", source_id)
    order = [pairs[str(i["id"])] for i in items]
    if [str(i) for i in (existing or {}).get("item_order") or []] != order:
        ctx.send("PATCH", "/board_sections/{id}", key, {"item_order": order}, id=section_id)
