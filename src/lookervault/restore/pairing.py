"""Which part of a target dashboard or board each backed-up part is, when ids cannot say.

In another instance (or for a dashboard made again under a new id) a tile's id means nothing,
yet an alert must land on the tile it watched. Parts are paired by what they hold, in passes
from strict to loose, each pass taking the target's parts in their order:

    tiles:    every compared field equal -> same title, type and data source -> same title, type
    filters:  same name (Looker keeps names unique within a dashboard)
    layouts:  the active one with the active one -> equal settings
    sections: equal content -> same title;  board items: equal content -> same target

A part no pass pairs is not in the target: the dashboard's or board's restore creates it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from lookervault.looker.content_types import PART_OWNERS
from lookervault.restore import canonical

Json = dict[str, Any]
Signature = Callable[[Json], Hashable]
Pass = tuple[Signature, Signature]
"""What a backed-up part and a target part must share to pair (target ids are not translated)."""

DATA_SOURCE = ("look_id", "query", "merge_query", "merge_result_id")


def _greedy(backed_up: list[Json], target: list[Json], passes: Iterable[Pass]) -> dict[str, str]:
    """backed-up id -> target id: each pass pairs what the earlier ones left, in order."""
    pairs: dict[str, str] = {}
    for mine, theirs in passes:
        taken = set(pairs.values())
        free: dict[Hashable, list[str]] = {}
        for part in target:
            if str(part["id"]) not in taken:
                free.setdefault(theirs(part), []).append(str(part["id"]))
        for part in backed_up:
            candidates = free.get(mine(part)) if str(part["id"]) not in pairs else None
            if candidates:
                pairs[str(part["id"])] = candidates.pop(0)
    return pairs


def _both(signature: Signature) -> Pass:
    return signature, signature


def _as_is(_type: str, value: str) -> str:
    """A target's references are target ids already."""
    return value


def elements(
    backed_up: list[Json], target: list[Json], translate: canonical.Translate
) -> dict[str, str]:
    def form(translated: canonical.Translate) -> Signature:
        return lambda e: canonical.canonical_json(canonical.element_form(e, translated, None))

    def source(translated: canonical.Translate) -> Signature:
        def signature(e: Json) -> Hashable:
            found = canonical.element_form(e, translated, None)
            data = canonical.canonical_json({k: found.get(k) for k in DATA_SOURCE})
            return (*_titled(e), data)

        return signature

    passes = [(form(translate), form(_as_is)), (source(translate), source(_as_is)), _both(_titled)]
    shown = [
        e for e in backed_up if not canonical.left_out(canonical.element_form(e, translate, None))
    ]
    return _greedy(shown, target, passes)


def _titled(element: Json) -> tuple[Any, Any]:
    return element.get("type"), element.get("title") or element.get("title_text")


def filters(backed_up: list[Json], target: list[Json]) -> dict[str, str]:
    return _greedy(backed_up, target, [_both(lambda f: f.get("name"))])


def layouts(backed_up: list[Json], target: list[Json]) -> dict[str, str]:
    def active(layout: Json) -> Hashable:
        return True if layout.get("active") else None

    def settings(layout: Json) -> Hashable:
        return canonical.canonical_json(canonical.layout_form(layout))

    return _greedy(backed_up, target, [_both(active), _both(settings)])


def sections(
    backed_up: list[Json], target: list[Json], translate: canonical.Translate
) -> dict[str, str]:
    def form(translated: canonical.Translate) -> Signature:
        return lambda s: canonical.canonical_json(canonical.section_form(s, translated))

    passes = [(form(translate), form(_as_is)), _both(lambda s: s.get("title"))]
    return _greedy(backed_up, target, passes)


def board_items(
    backed_up: list[Json], target: list[Json], translate: canonical.Translate
) -> dict[str, str]:
    def form(translated: canonical.Translate) -> Signature:
        return lambda i: canonical.canonical_json(canonical.board_item_form(i, translated))

    def shows(translated: canonical.Translate) -> Signature:
        def signature(item: Json) -> Hashable:
            found = canonical.board_item_form(item, translated)
            return found.get("dashboard_id"), found.get("look_id")

        return signature

    passes = [(form(translate), form(_as_is)), (shows(translate), shows(_as_is))]
    return _greedy(backed_up, target, passes)


def holder_parts(
    holder_type: str, backed_up: Json, target: Json, translate: canonical.Translate
) -> dict[tuple[str, str], str]:
    """(part type, backed-up id) -> target id, for every part of one dashboard or board."""
    found: dict[tuple[str, str], str] = {}
    for part_type, owner in PART_OWNERS.items():
        if owner == holder_type and part_type in PAIRED:
            found.update(PAIRED[part_type](backed_up, target, translate))
    return found


Pairs = dict[tuple[str, str], str]


def _listed(
    part_type: str, pair: Callable[[list[Json], list[Json]], dict[str, str]]
) -> Callable[[Json, Json, canonical.Translate], Pairs]:
    def paired(backed_up: Json, target: Json, _translate: canonical.Translate) -> Pairs:
        found = pair(backed_up.get(part_type) or [], target.get(part_type) or [])
        return {(part_type, mine): theirs for mine, theirs in found.items()}

    return paired


def _tiles(backed_up: Json, target: Json, translate: canonical.Translate) -> Pairs:
    mine, theirs = backed_up.get("dashboard_elements"), target.get("dashboard_elements")
    found = elements(mine or [], theirs or [], translate)
    return {("dashboard_elements", m): t for m, t in found.items()}


def _sections_and_items(backed_up: Json, target: Json, translate: canonical.Translate) -> Pairs:
    """Sections, then the items within each pair of sections."""
    mine_sections = backed_up.get("board_sections") or []
    their_sections = {str(s["id"]): s for s in target.get("board_sections") or []}
    paired = sections(mine_sections, list(their_sections.values()), translate)
    found: Pairs = {("board_sections", m): t for m, t in paired.items()}
    for section in mine_sections:
        theirs_id = paired.get(str(section["id"]))
        if theirs_id is not None:
            items = their_sections[theirs_id].get("board_items") or []
            pairs = board_items(section.get("board_items") or [], items, translate)
            found.update({("board_items", m): t for m, t in pairs.items()})
    return found


PAIRED: dict[str, Callable[[Json, Json, canonical.Translate], Pairs]] = {
    "dashboard_elements": _tiles,
    "dashboard_filters": _listed("dashboard_filters", filters),
    "dashboard_layouts": _listed("dashboard_layouts", layouts),
    "board_sections": _sections_and_items,
}
"""How each kind of part is paired (board items: within their paired sections)."""
