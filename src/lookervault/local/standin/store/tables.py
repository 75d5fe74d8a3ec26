"""What every family of the store stands on: the tables and their indexes, the lock, the id
sequences, and the helpers the families share.

`Tables` is the base class of every family's mixin. It declares the generic operations the
families call back into (rendering, validation, the side effects of a delete, and the calls
that dashboard LookML imports through); `Store` (core.py) defines them.
"""

from __future__ import annotations

import secrets
import string
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Container, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lookervault.local.standin import query, releases, rules, shapes, types
from lookervault.local.standin.profiles import DEFAULT_RELEASES, LENIENT, Answers
from lookervault.local.standin.seed import Seeded, iso
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.indexes import IndexSpec, Table, by_field, by_part
from lookervault.local.standin.types import ROWS
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

LIVE_TITLE = IndexSpec(
    ("folder_id", "title", "deleted"),
    lambda obj: [] if obj["deleted"] else [(obj["folder_id"], obj["title"])],
)
"""Live dashboards (looks) by folder and title, which no two of them share."""

INDEXES: dict[str, dict[str, IndexSpec]] = {
    "dashboards": {
        **{part: by_part(part) for part in CHILDREN if CHILDREN[part][0] == "dashboards"},
        "dashboard_layout_components": IndexSpec(
            ("dashboard_layouts",),
            lambda dashboard: [
                component["id"]
                for layout in dashboard["dashboard_layouts"]
                for component in layout["dashboard_layout_components"]
            ],
        ),
        "result_makers": IndexSpec(
            ("dashboard_elements",),
            lambda dashboard: [
                maker
                for maker in (e["result_maker_id"] for e in dashboard["dashboard_elements"])
                if maker
            ],
        ),
        "folder_id": by_field("folder_id"),
        "title": LIVE_TITLE,
        "slug": by_field("slug"),
    },
    "looks": {"folder_id": by_field("folder_id"), "title": LIVE_TITLE},
    "boards": {
        "board_sections": by_part("board_sections"),
        "board_items": IndexSpec(
            ("board_sections",),
            lambda board: [i["id"] for s in board["board_sections"] for i in s["board_items"]],
        ),
    },
    "folders": {
        "parent_id": by_field("parent_id"),
        "name": IndexSpec(("parent_id", "name"), lambda f: [(f["parent_id"], f["name"])]),
    },
    "users": {
        "email": IndexSpec(("email",), lambda user: [(user["email"] or "").lower()]),
    },
    "queries": {
        "slug": by_field("slug"),
        "client_id": by_field("client_id"),
        "definition": IndexSpec(rules.QUERY_DEFINITION, lambda q: [rules.query_key(q)]),
    },
    "merge_queries": {
        "definition": IndexSpec(rules.MERGE_DEFINITION, lambda m: [rules.merge_query_key(m)]),
    },
    "content_metadata_access": {"content_metadata_id": by_field("content_metadata_id")},
    "user_attribute_user_values": {"user_id": by_field("user_id")},
    "content_favorites": {
        "favorite": IndexSpec(
            ("user_id", "content_metadata_id"),
            lambda f: [(f["user_id"], f["content_metadata_id"])],
        ),
    },
    **{row.name: {key: by_field(key) for key in row.unique} for row in ROWS if row.unique},
}
"""What each indexed table is looked up by: a dashboard (board) by the id of any of its parts,
tile result makers, folder, live title or slug; a look by folder or live title; a folder by
parent, or parent and name; a user by email; a type with unique keys by each of them; a
query by slug, client id or definition; a merge query by definition; access entries by their
content; a favourite by user and content; values on users' accounts by user."""

ALREADY_EXISTS = "The resource already exists."
DEFAULT_RELEASE = DEFAULT_RELEASES["lenient"]
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


@dataclass(frozen=True)
class BoardGrant:
    """Access given on a board (`create_content_metadata_access`), with the
    `send_boards_notification_email` parameter exactly as the request gave it (None: left out),
    so a test can tell a client that says "false" from one that says nothing."""

    board_id: str
    send_boards_notification_email: str | None


def now_iso() -> str:
    return iso(datetime.now(UTC))


def token(length: int) -> str:
    """Random letters and digits, from one read of the system's random source (a slug, a
    client id: no secret, so the slight bias of the modulo does not matter)."""
    return "".join(SLUG_ALPHABET[byte % len(SLUG_ALPHABET)] for byte in secrets.token_bytes(length))


class Tables(ABC):
    """Objects per type, in id order, behind one lock; `answers` says which plausible answer
    the store gives where Looker's is unconfirmed (profiles.py)."""

    def __init__(
        self,
        seeded: Seeded,
        answers: Answers = LENIENT,
        release: str = DEFAULT_RELEASE,
        *,
        tabs_follow_release: bool = False,
    ) -> None:
        self.answers = answers
        self.layout_tabs = releases.layout_tabs(release) or not tabs_follow_release
        """Layouts have a tab's `label` and `order` (releases.py: from 25.18; on any release
        unless `tabs_follow_release`)."""
        self.granular = releases.granular_positions(release)
        """Layout components have `granular_*` positions (releases.py)."""
        self.defaults = dict(seeded.defaults)
        """The instance's default colour collection (an id) and theme (a name)."""
        self.board_grants: list[BoardGrant] = []
        self._objects: dict[str, MutableMapping[str, Json]] = {
            name: Table(objects, INDEXES[name]) if name in INDEXES else objects
            for name, objects in seeded.objects.items()
        }
        self._next_ids = dict(seeded.next_ids)
        self._lock = threading.RLock()
        self.deliveries: list[Delivery] = []

    def _table(self, type_name: str) -> list[Json]:
        return list(self._table_dict(type_name).values())

    def _table_dict(self, type_name: str) -> MutableMapping[str, Json]:
        table = self._objects.get(type_name)
        if table is None:
            raise not_found()
        return table

    def _indexed(self, type_name: str) -> Table:
        table = self._objects[type_name]
        assert isinstance(table, Table), type_name
        return table

    def _exists(self, table: str, object_id: str) -> bool:
        if table in CHILDREN:
            return object_id in self._indexed(CHILDREN[table][0]).index(table)
        return object_id in self._objects.get(table, {})

    def new_id(self, sequence: str) -> str:
        with self._lock:
            value = self._next_ids.get(sequence, 1)
            self._next_ids[sequence] = value + 1
            return str(value)

    def _free_token(self, length: int, taken: Container[str]) -> str:
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

    def _parent_of(self, parent_type: str, part_index: str, part_id: str) -> Json:
        """The dashboard (board) holding the part with that id, by the index of its parts."""
        parents = self._indexed(parent_type)
        parent: Json | None = parents.get(parents.index(part_index).first(part_id) or "")
        if parent is None:
            raise not_found()
        return parent

    def _find_child(self, child_type: str, child_id: str) -> tuple[Json, Json]:
        parent = self._parent_of(CHILDREN[child_type][0], child_type, child_id)
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

    @abstractmethod
    def get(self, type_name: str, object_id: str, fields: str | None = None) -> Json:
        """An object as the API shows it by id (core.py)."""

    @abstractmethod
    def create(self, type_name: str, body: Any, caller_id: str) -> Json:
        """A new top-level object, with Looker's checks and side effects (core.py)."""

    @abstractmethod
    def update(self, type_name: str, object_id: str, body: Any, caller_id: str) -> Json:
        """A top-level object changed, with Looker's checks (core.py)."""

    @abstractmethod
    def create_child(self, child_type: str, body: Any) -> Json:
        """A new part of a dashboard or board, with Looker's checks (core.py)."""


def child_writable(key: str) -> bool:
    nested = {"dashboard_layout_components", "board_items", "look", "query", "result_maker"}
    nested |= {"visible_item_order", "dashboard_title", "field"}
    return key not in types.SERVER_MANAGED and key not in nested


def require_object(body: Any) -> Json:
    if not isinstance(body, dict):
        raise ApiError(400, "Expected a JSON object in the request body")
    return body


def projected(obj: Json, fields: str | None) -> Json:
    if not fields:
        return obj
    result: Json = query.project(obj, query.parse_fields(fields))
    return result
