"""Compare two sets of extracted content up to ids: is this Looker what that backup holds?

Ids differ between instances (and for items a restore had to re-create), so each item is
named by what identifies it to a person (a folder by its path, a user by email, a dashboard by
its folder path and title) and every reference inside it is replaced by the name of what it
points at. What is left, minus the fields Looker changes by itself (timestamps, view counts,
derived counters, generated slugs and keys), must be equal.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Any

from lookervault.looker.content_types import BY_NAME, PART_OWNERS, ContentType, parts

Json = dict[str, Any]
Items = Mapping[str, Mapping[str, Json]]
"""type -> id -> object, as extraction stores them."""

ACTIVITY = frozenset(
    {
        "view_count",
        "favorite_count",
        "last_viewed_at",
        "last_accessed_at",
        "logged_in_at",
        "last_run_at",
        "next_run_at",
    }
)
"""Fields that change when content is used, not edited: views, favourites, logins, schedule
runs. An export leaves them out (two exports of unchanged content stay byte-identical); no
restore compares or writes them."""

VOLATILE = ACTIVITY | frozenset(
    {
        "can",
        "url",
        "short_url",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleter_id",
        "last_updater_id",
        "child_count",
        "user_count",
        "content_metadata_id",
        "content_favorite_id",
        "creator_id",
        "personal_folder_id",
        "client_id",
        "query_slug",
        "avatar_url",
        "element_title",
        "dashboard_title",
    }
)
"""Fields Looker sets by itself: use, when, derived counters, generated keys."""

EMBEDDED = frozenset({"look", "folder", "permission_set", "model_set", "user"})
"""Copies of other items inside an item; the reference next to them is compared instead."""


def maintained_by_looker(key: str) -> bool:
    """A field nobody edits: Looker's own bookkeeping, or a copy of another item. Neither
    a comparison nor a diff (looker/diff.py) counts it as a change."""
    return key in VOLATILE or key in EMBEDDED


@dataclass(frozen=True)
class Difference:
    """One item that is missing, extra, or different (`fields` names the top-level keys)."""

    type: str
    name: str
    kind: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.type} {self.name!r}: {self.kind}{detail}"


def compare(expected: Items, actual: Items, types: Iterable[str] | None = None) -> list[Difference]:
    """How `actual` differs from `expected`, up to ids. Items only `actual` has are reported
    as "extra" (an instance restored into may hold content of its own)."""
    want = describe(expected)
    have = describe(actual)
    chosen = set(types) if types is not None else set(want) | set(have)
    found: list[Difference] = []
    for type_name in sorted(chosen):
        left, right = want.get(type_name, {}), have.get(type_name, {})
        for name in sorted(set(left) | set(right)):
            if name not in right:
                found.append(Difference(type_name, name, "missing"))
            elif name not in left:
                found.append(Difference(type_name, name, "extra"))
            elif left[name] != right[name]:
                keys = sorted(set(left[name]) | set(right[name]))
                fields = tuple(k for k in keys if left[name].get(k) != right[name].get(k))
                found.append(Difference(type_name, name, "different", fields))
    return found


def describe(items: Items) -> dict[str, dict[str, Json]]:
    """Every item as type -> name -> content without ids."""
    names = _Names(items)
    described: dict[str, dict[str, Json]] = {}
    for type_name, by_id in items.items():
        if type_name not in BY_NAME:
            continue
        table = described.setdefault(type_name, {})
        for item_id, item in by_id.items():
            content = _content(type_name, item, names)
            name = names.of(type_name, item_id) or _canonical(content)
            table[name] = content
    return described


class _Names:
    """What identifies an item to a person, across instances."""

    def __init__(self, items: Items) -> None:
        self.items = items
        self._cache: dict[tuple[str, str], str | None] = {}
        self.personal: dict[tuple[str, str], tuple[str, str]] = {}
        """An item that belongs to another (a user's personal folder) -> that other."""
        for ct in BY_NAME.values():
            for ref in (r for r in ct.references if r.personal):
                for holder_id, holder in items.get(ct.name, {}).items():
                    if holder.get(ref.path) is not None:
                        self.personal[(ref.type, str(holder[ref.path]))] = (ct.name, holder_id)
        self.parts: dict[tuple[str, str], tuple[str, Json, Json]] = {}
        for part_type, owner_type in PART_OWNERS.items():
            for owner_id, owner in items.get(owner_type, {}).items():
                for part in parts(owner, part_type):
                    self.parts[(part_type, str(part.get("id")))] = (owner_id, owner, part)

    def of(self, type_name: str, item_id: str) -> str | None:
        key = (type_name, item_id)
        if key not in self._cache:
            self._cache[key] = None  # a cycle of references names nothing
            self._cache[key] = self._name(type_name, item_id)
        return self._cache[key]

    def _name(self, type_name: str, item_id: str) -> str | None:
        if type_name in PART_OWNERS:
            found = self.parts.get((type_name, item_id))
            if found is None:
                return None
            owner_id, _, part = found
            owner = self.of(PART_OWNERS[type_name], owner_id)
            return f"{owner} / {part.get('title') or part.get('title_text') or part.get('name')}"
        item = self.items.get(type_name, {}).get(item_id)
        ct = BY_NAME[type_name]
        if item is None or ct.person_name is None:
            return None  # alerts, favourites: named by what they hold, a tile or content
        label = next((name for flag, name in ct.system_names.items() if item.get(flag)), None)
        if label is not None:
            return label
        holder = self.personal.get((type_name, item_id))
        if holder is not None:  # named after whom it belongs to, not what it is called
            item = {**item, **dict.fromkeys(ct.title_fields, self.of(*holder))}
        return self._formatted(ct, item)

    def _formatted(self, ct: ContentType, item: Json) -> str:
        """The row's `person_name` filled in: a reference by the name of what it names."""
        references = {ref.path: ref.type for ref in ct.references}
        text = []
        for literal, spec, _, _ in Formatter().parse(ct.person_name or ""):
            text.append(literal)
            if spec is None:
                continue
            text.append(str(self._first(ct, item, spec.split("|"), references)))
        return "".join(text)

    def _first(
        self, ct: ContentType, item: Json, names: list[str], references: Mapping[str, str]
    ) -> str | None:
        """The first of `names` the item has, a reference by the name of what it names."""
        for name in names:
            value = ct.value(item, name)
            if value:
                return self.of(references[name], str(value)) if name in references else value
        return None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _content(type_name: str, item: Json, names: _Names) -> Json:
    item = copy.deepcopy(item)
    ct = BY_NAME[type_name]
    for ref in (*ct.references, *ct.compared_references):
        _rename(item, ref.path.split("."), ref.type, names)
    derived = set(ct.derived)
    for flag, fields in ct.derived_when.items():
        if item.get(flag):
            derived |= fields
    for name in derived:
        item.pop(name, None)
    holds = {part for part, owner in PART_OWNERS.items() if owner == type_name}
    if "dashboard_layouts" in holds:
        _dashboard(item)
    if "board_sections" in holds:
        _board(item)
    stripped: Json = _strip(item)
    for name in ct.unordered:
        if name in stripped:
            stripped[name] = sorted(stripped[name] or [], key=_canonical)
    return stripped


def _rename(node: Any, steps: list[str], target: str, names: _Names) -> None:
    """Replace the ids at a reference path by the names of what they point at."""
    if not isinstance(node, dict) or not steps:
        return
    head = steps[0].removesuffix("[]")
    value = node.get(head)
    if value is None:
        return
    if len(steps) > 1:
        for child in value if isinstance(value, list) else [value]:
            _rename(child, steps[1:], target, names)
    elif isinstance(value, list):
        node[head] = sorted(f"@{names.of(target, str(v))}" for v in value)
    else:
        node[head] = f"@{names.of(target, str(value))}"


def _dashboard(item: Json) -> None:
    """A dashboard's tiles carry their place in the active layout; parts are compared as
    unordered sets."""
    layouts = item.get("dashboard_layouts") or []
    active: Json = next((layout for layout in layouts if layout.get("active")), {})
    places = {
        str(c.get("dashboard_element_id")): {
            k: c.get(k) for k in ("row", "column", "width", "height")
        }
        for c in active.get("dashboard_layout_components") or []
    }
    for element in item.get("dashboard_elements") or []:
        element["position"] = places.get(str(element.get("id")))
    for layout in layouts:
        layout.pop("dashboard_layout_components", None)
    for key in ("dashboard_elements", "dashboard_filters", "dashboard_layouts"):
        if key in item:
            item[key] = sorted((_strip(part) for part in item[key]), key=_canonical)


def _board(item: Json) -> None:
    """A board's sections and items in the order the board shows them."""

    def ordered(parts: list[Json], order: list[Any] | None) -> list[Json]:
        rank = {str(i): n for n, i in enumerate(order or [])}
        return sorted(
            parts, key=lambda p: (rank.get(str(p.get("id")), len(rank)), _canonical(_strip(p)))
        )

    sections = ordered(item.get("board_sections") or [], item.get("section_order"))
    for section in sections:
        section["board_items"] = ordered(
            section.get("board_items") or [], section.get("item_order")
        )
        for board_item in section["board_items"]:
            board_item.pop("order", None)
    item["board_sections"] = sections


def _strip(node: Any) -> Any:
    """Drop volatile fields, embedded copies and ids that were not turned into names."""
    if isinstance(node, list):
        return [_strip(v) for v in node]
    if not isinstance(node, dict):
        return node
    kept = {}
    for key, value in node.items():
        if maintained_by_looker(key):
            continue
        if _is_id(key) and not _is_name(value):
            continue
        kept[key] = _strip(value)
    if "slug" in kept and "model" in kept and "view" in kept:  # a query: its slug is generated
        kept.pop("slug")
    return kept


def _is_name(value: Any) -> bool:
    """A reference already replaced by the name of what it points at."""
    if isinstance(value, list):
        return bool(value) and all(_is_name(v) for v in value)
    return isinstance(value, str) and value.startswith("@")


def _is_id(key: str) -> bool:
    return key == "id" or key.endswith(("_id", "_ids", "_order"))
