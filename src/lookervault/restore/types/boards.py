"""Restore one board: its fields, its sections, their items, then both orders.

Sections and items are written one by one (RESTORE-FACTS, "Boards"); `section_order` and
`item_order` hold ids, so they are set last, with the target's ids. Sections and items the
backup does not have are deleted; an item on content that is in neither the backup nor Looker
is left out (the plan names it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lookervault.looker.client import api_path
from lookervault.restore import canonical, lookup
from lookervault.restore.access import GRANT, access_form, write_access
from lookervault.restore.source import Key
from lookervault.restore.types.base import Adjustment, Handler
from lookervault.restore.writes import (
    Context,
    changed_fields,
    create,
    create_part,
    pair_parts,
    top_body,
    update,
)

if TYPE_CHECKING:
    from lookervault.restore.resolver import Resolver

Json = dict[str, Any]


def write_board(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    if target_id is None:
        target_id = create(ctx, key, top_body(want, key[0]))
        changed = ["board_sections"]
    else:
        changed = changed_fields(ctx, key, want, target_id)
        update(ctx, key, target_id, top_body(want, key[0], changed))
    if "board_sections" in changed:
        _write_sections(ctx, key, target_id)
    return target_id


def _write_sections(ctx: Context, key: Key, target_id: str) -> None:
    """In rounds of calls side by side: extra sections go, sections are written, then every
    section's items, then the orders (they hold the target's ids)."""
    backup = ctx.source_item(key)
    target = ctx.target_item(key[0], target_id)  # as last read, or as its create answered
    same = target_id == key[1]
    have = {str(s["id"]): s for s in target.get("board_sections") or []}
    sections = canonical.ordered(backup.get("board_sections") or [], backup.get("section_order"))
    pairs = pair_parts(ctx, key, "board_sections", sections, set(have), same)
    path = "/board_sections/{id}"
    ctx.each(
        functools.partial(ctx.send, "DELETE", path, key, id=extra)
        for extra in sorted(set(have) - set(pairs.values()))
    )
    claims = lookup.Claims(set(have))
    ctx.each(
        functools.partial(_write_section, ctx, key, target_id, section, pairs, have, claims)
        for section in sections
    )
    placed = [
        _Section(section, pairs[str(section["id"])], have.get(pairs[str(section["id"])]))
        for section in sections
    ]
    for section in placed:
        section.pair_items(ctx, key, same)
    ctx.each(call for section in placed for call in section.item_calls(ctx, key))
    calls = [call for section in placed for call in section.order_call(ctx, key)]
    order = [section.target_id for section in placed]
    if [str(i) for i in target.get("section_order") or []] != order:
        calls.append(functools.partial(update, ctx, key, target_id, {"section_order": order}))
    ctx.each(calls)


def _write_section(
    ctx: Context,
    key: Key,
    board_id: str,
    section: Json,
    pairs: dict[str, str],
    have: dict[str, Json],
    claims: lookup.Claims,
) -> None:
    source_id = str(section["id"])
    form = {k: section.get(k) for k in sorted(canonical.SECTION_FIELDS) if k in section}
    if source_id in pairs:
        diff = canonical.differing(form, have[pairs[source_id]])
        if diff:
            ctx.send("PATCH", "/board_sections/{id}", key, diff, id=pairs[source_id])
        ctx.plan.resolver.record(("board_sections", source_id), pairs[source_id])
        return
    body = {"board_id": board_id} | {k: v for k, v in form.items() if v is not None}
    path = api_path("/boards/{id}", board_id)
    client = ctx.plan.target.client
    find = lookup.part(client, path, claims, body, ("title", "description"), "board_sections")
    made = create_part(ctx, key, "/board_sections", body, "board_sections", source_id, find)
    pairs[source_id] = made
    claims.add(made)


@dataclass
class _Section:
    """A backed-up section, written; its items next (extras deleted), then its `item_order`."""

    section: Json
    target_id: str
    existing: Json | None
    pairs: dict[str, str] = field(default_factory=dict)
    items: list[Json] = field(default_factory=list)
    """Its backed-up items in order, but those on content that is nowhere."""
    claims: lookup.Claims = field(default_factory=lookup.Claims)

    @property
    def have(self) -> dict[str, Json]:
        return {str(i["id"]): i for i in (self.existing or {}).get("board_items") or []}

    def pair_items(self, ctx: Context, key: Key, same: bool) -> None:
        ordered = canonical.ordered(
            self.section.get("board_items") or [], self.section.get("item_order")
        )
        self.items = [
            i
            for i in ordered
            if not canonical.left_out_item(canonical.board_item_form(i, ctx.translate))
        ]
        self.pairs = pair_parts(ctx, key, "board_items", self.items, set(self.have), same)
        self.claims = lookup.Claims(set(self.have))

    def item_calls(self, ctx: Context, key: Key) -> list[Callable[[], object]]:
        extras = sorted(set(self.have) - set(self.pairs.values()))
        path = "/board_items/{id}"
        calls: list[Callable[[], object]] = [
            functools.partial(ctx.send, "DELETE", path, key, id=extra) for extra in extras
        ]
        return calls + [functools.partial(self._write_item, ctx, key, i) for i in self.items]

    def _write_item(self, ctx: Context, key: Key, item: Json) -> None:
        source_id = str(item["id"])
        form = canonical.board_item_form(item, ctx.translate)
        if source_id in self.pairs:
            diff = canonical.differing(form, self.have[self.pairs[source_id]])
            if diff:
                ctx.send("PATCH", "/board_items/{id}", key, diff, id=self.pairs[source_id])
            ctx.plan.resolver.record(("board_items", source_id), self.pairs[source_id])
            return
        body = {"board_section_id": self.target_id} | {
            k: v for k, v in form.items() if v is not None
        }
        section = api_path("/board_sections/{id}", self.target_id)
        names = ("dashboard_id", "look_id", "lookml_dashboard_id", "custom_title", "custom_url")
        find = lookup.part(ctx.plan.target.client, section, self.claims, body, names, "board_items")
        made = create_part(ctx, key, "/board_items", body, "board_items", source_id, find)
        self.pairs[source_id] = made
        self.claims.add(made)

    def order_call(self, ctx: Context, key: Key) -> list[Callable[[], object]]:
        order = [self.pairs[str(i["id"])] for i in self.items]
        if [str(i) for i in (self.existing or {}).get("item_order") or []] == order:
            return []
        body = {"item_order": order}
        path = "/board_sections/{id}"
        return [functools.partial(ctx.send, "PATCH", path, key, body, id=self.target_id)]


def sections_and_access(item: Json, translate: canonical.Translate) -> Json:
    found = canonical.ordered(item.get("board_sections") or [], item.get("section_order"))
    return {"board_sections": [canonical.section_form(s, translate) for s in found]} | (
        access_form(item, translate)
    )


def write_board_access(ctx: Context, key: Key, want: Json, target_id: str) -> None:
    """Who may see the board, as backed up (a private board stays private); granting it
    never mails anyone (`send_boards_notification_email=false`)."""
    write_access(ctx, key, want, target_id, f"{GRANT}?send_boards_notification_email=false")


def items_on_content_nowhere(
    _resolver: Resolver, item: Json, translate: canonical.Translate
) -> list[Adjustment]:
    found = []
    for section in item.get("board_sections") or []:
        for board_item in section.get("board_items") or []:
            if canonical.left_out_item(canonical.board_item_form(board_item, translate)):
                text = (
                    f"board item {board_item['id']} shows content that is in neither the "
                    "backup nor Looker: it is left out"
                )
                found.append(Adjustment("board_item_left_out", text, str(board_item["id"])))
    return found


HANDLER = Handler(
    pseudo=sections_and_access,
    write=write_board,
    late_write=write_board_access,
    adjustments=items_on_content_nowhere,
)
