"""Boards and their parts: sections (stored in the board, through the generic child calls in
core.py) and the items in a section, each showing its target's title and address.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lookervault.local.standin import shapes
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import (
    Tables,
    child_writable,
    projected,
    require_object,
)
from lookervault.local.standin.wire import ErrorDetail, validation_failed


class BoardsMixin(Tables):
    """A board's sections as shown, and the board item calls."""

    def _section(self, section: Json) -> Json:
        return {**section, "board_items": [self._board_item(i) for i in section["board_items"]]}

    def _board_item(self, item: Json) -> Json:
        """A board item shows its target's title and address."""
        out = dict(item)
        for key, table, path in (
            ("dashboard_id", "dashboards", "dashboards"),
            ("look_id", "looks", "looks"),
        ):
            target = self._objects[table].get(item[key] or "")
            if target is not None:
                out.update(
                    title=target["title"],
                    description=target["description"],
                    url=f"/{path}/{target['id']}",
                )
        return out

    def create_board_item(self, body: Any) -> Json:
        body = require_object(body)
        with self._lock:
            section_id = str(body.get("board_section_id") or "")
            if not section_id:
                raise validation_failed(
                    [ErrorDetail("board_section_id", "missing", "This field is required.")]
                )
            if not self._exists("board_sections", section_id):
                raise validation_failed(
                    [ErrorDetail("board_section_id", "invalid", "No board section with that id")]
                )
            item = shapes.board_item()
            item.update({k: v for k, v in body.items() if k in item and child_writable(k)})
            item.update(id=self.new_id("board_items"), board_section_id=section_id)
            self._check_board_item(item)

            def add(section: Json) -> Json:
                return {
                    **section,
                    "board_items": [*section["board_items"], item],
                    "item_order": [*section["item_order"], item["id"]],
                    "visible_item_order": [*section["visible_item_order"], item["id"]],
                }

            self._replace_section(section_id, add)
            return self._board_item(item)

    def get_board_item(self, item_id: str, fields: str | None) -> Json:
        with self._lock:
            _, item = self._find_board_item(item_id)
            return projected(self._board_item(item), fields)

    def update_board_item(self, item_id: str, body: Any) -> Json:
        body = require_object(body)
        with self._lock:
            section, item = self._find_board_item(item_id)
            changes = {k: v for k, v in body.items() if k in item and child_writable(k)}
            changes.pop("board_section_id", None)
            new_item = {**item, **changes}
            self._check_board_item(new_item)
            self._replace_section(
                section["id"],
                lambda s: {
                    **s,
                    "board_items": [
                        new_item if i["id"] == item_id else i for i in s["board_items"]
                    ],
                },
            )
            return self._board_item(new_item)

    def delete_board_item(self, item_id: str) -> None:
        with self._lock:
            section, _ = self._find_board_item(item_id)
            self._replace_section(section["id"], functools.partial(_without_item, item_id=item_id))

    def _find_board_item(self, item_id: str) -> tuple[Json, Json]:
        """(section, item) for a board item id."""
        board = self._parent_of("boards", "board_items", item_id)
        return next(
            (section, item)
            for section in board["board_sections"]
            for item in section["board_items"]
            if item["id"] == item_id
        )

    def _replace_section(self, section_id: str, change: Callable[[Json], Json]) -> None:
        board, _ = self._find_child("board_sections", section_id)
        sections = [change(s) if s["id"] == section_id else s for s in board["board_sections"]]
        self._objects["boards"][board["id"]] = {**board, "board_sections": sections}

    def _check_board_item(self, item: Json) -> None:
        errors = []
        for name, table in (
            ("dashboard_id", "dashboards"),
            ("look_id", "looks"),
            ("lookml_dashboard_id", "lookml_dashboards"),
        ):
            value = item[name]
            if value and not self._exists(table, str(value)):
                errors.append(ErrorDetail(name, "invalid", f"No {table[:-1]} with id {value}"))
        if errors:
            raise validation_failed(errors)

    def _drop_board_items(self, key: str, ids: set[str]) -> None:
        """Items whose `key` (dashboard_id or look_id) names hard-deleted content go with it."""
        doomed = [
            (section["id"], item["id"])
            for board in self._objects["boards"].values()
            for section in board["board_sections"]
            for item in section["board_items"]
            if item[key] in ids
        ]
        for section_id, item_id in doomed:
            self._replace_section(section_id, functools.partial(_without_item, item_id=item_id))


def _without_item(section: Json, item_id: str) -> Json:
    return {
        **section,
        "board_items": [i for i in section["board_items"] if i["id"] != item_id],
        "item_order": [i for i in section["item_order"] if i != item_id],
        "visible_item_order": [i for i in section["visible_item_order"] if i != item_id],
    }
