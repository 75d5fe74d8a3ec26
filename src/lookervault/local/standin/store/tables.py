"""What every family of the store stands on: the tables, the lock, the id sequences and the
child indexes, and the helpers the families share.

`Tables` is the base class of every family's mixin. It declares the three generic operations
the families call back into (rendering, validation, the side effects of a delete); `Store`
(core.py) defines them.
"""

from __future__ import annotations

import secrets
import string
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lookervault.local.standin import query, rules, shapes
from lookervault.local.standin.seed import Seeded, iso
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.wire import ApiError, not_found

CHILDREN: dict[str, tuple[str, str, Callable[[], Json], tuple[str, ...]]] = {
    "dashboard_elements": ("dashboards", "dashboard_id", shapes.dashboard_element, ()),
    "dashboard_filters": (
        "dashboards",
        "dashboard_id",
        shapes.dashboard_filter,
        ("name", "title", "type"),
    ),
    "dashboard_layouts": ("dashboards", "dashboard_id", shapes.dashboard_layout, ()),
    "board_sections": ("boards", "board_id", shapes.board_section, ()),
}
"""Objects stored inside a parent's list (dashboard tiles, filters, layouts; board sections):
child type -> (parent type, key naming the parent, blank, required keys on create)."""

ALREADY_EXISTS = "The resource already exists."
SLUG_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Delivery:
    """Something that would have mailed a real person on a real Looker instance."""

    kind: str
    """"scheduled_plan_run_once", "scheduled_plan_run_once_by_id", "scheduled_plan_created",
    "scheduled_plan_updated" (both with run_once: true), "password_reset_email" or
    "boards_notification_email"."""
    target: str
    """The plan id (or its name for an unsaved run_once), the user id or the board id."""
    detail: dict[str, Any] = field(default_factory=dict)


def now_iso() -> str:
    return iso(datetime.now(UTC))


def token(length: int) -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(length))


class Tables(ABC):
    """Objects per type, in id order, behind one lock."""

    def __init__(self, seeded: Seeded) -> None:
        self._objects = seeded.objects
        self._next_ids = dict(seeded.next_ids)
        self._lock = threading.RLock()
        self._parents: dict[str, dict[str, str]] = {}
        self._queries_by_key = {rules.query_key(q): q["id"] for q in self._table("queries")}
        self.deliveries: list[Delivery] = []

    def _table(self, type_name: str) -> list[Json]:
        return list(self._table_dict(type_name).values())

    def _table_dict(self, type_name: str) -> dict[str, Json]:
        table = self._objects.get(type_name)
        if table is None:
            raise not_found()
        return table

    def _exists(self, table: str, object_id: str) -> bool:
        if table == "dashboard_elements":
            return object_id in self._parent_index(table)
        return object_id in self._objects.get(table, {})

    def new_id(self, sequence: str) -> str:
        with self._lock:
            value = self._next_ids.get(sequence, 1)
            self._next_ids[sequence] = value + 1
            return str(value)

    def _free_token(self, length: int, taken: set[str]) -> str:
        while True:
            candidate = token(length)
            if candidate not in taken:
                return candidate

    def _bump(self, type_name: str, object_id: str | None, key: str, delta: int) -> None:
        """Adjust a derived counter (folder children, group members) after a write."""
        table = self._objects[type_name]
        obj = table.get(object_id or "")
        if obj is not None:
            table[obj["id"]] = {**obj, key: obj[key] + delta}

    def _parent_index(self, child_type: str) -> dict[str, str]:
        """child id -> parent id, built on first use and kept up to date by child writes."""
        index = self._parents.get(child_type)
        if index is None:
            parent_type = CHILDREN[child_type][0]
            index = {
                child["id"]: parent["id"]
                for parent in self._objects[parent_type].values()
                for child in parent[child_type]
            }
            self._parents[child_type] = index
        return index

    def _find_child(self, child_type: str, child_id: str) -> tuple[Json, Json]:
        parent_id = self._parent_index(child_type).get(child_id)
        parent = self._objects[CHILDREN[child_type][0]].get(parent_id or "")
        if parent is None:
            raise not_found()
        child = next((c for c in parent[child_type] if c["id"] == child_id), None)
        if child is None:
            raise not_found()
        return parent, child

    @abstractmethod
    def _render(self, type_name: str, obj: Json, *, detail: bool) -> Json:
        """The object as the API returns it (core.py)."""

    @abstractmethod
    def _validate(self, type_name: str, body: Json, old: Json | None, new: Json) -> None:
        """Refuse a write of a top-level object that Looker would refuse (core.py)."""

    @abstractmethod
    def _on_delete(self, type_name: str, obj: Json) -> None:
        """Keep counters, memberships and references true after a delete (core.py)."""


def child_writable(key: str) -> bool:
    nested = {"dashboard_layout_components", "board_items", "look", "query", "result_maker"}
    nested |= {"visible_item_order", "dashboard_title", "field"}
    return key not in shapes.SERVER_MANAGED and key not in nested


def require_object(body: Any) -> Json:
    if not isinstance(body, dict):
        raise ApiError(400, "Expected a JSON object in the request body")
    return body


def projected(obj: Json, fields: str | None) -> Json:
    if not fields:
        return obj
    result: Json = query.project(obj, query.parse_fields(fields))
    return result
