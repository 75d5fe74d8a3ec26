"""What restore compares: each item reduced to the fields a client may write, ids translated.

The writable fields of a type come from looker_sdk's `Write*` model (the SDK builds those by
dropping the spec's read-only properties), minus nested objects that take calls of their own.
Children that Looker writes through separate calls (a dashboard's filters, tiles and layout; a
board's sections; a group's members; an attribute's group values; a look's query) become
pseudo-fields in a form without ids, so two items are equal exactly when a restore would not
need to write anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import attr
from looker_sdk.sdk.api40 import models as sdk_models

from lookervault.looker.content_types import BY_NAME

Json = dict[str, Any]
Translate = Callable[[str, str], "str | None"]
"""(type, source id) -> target id, a placeholder for an item not created yet, or None when
the referenced item exists neither in the backup nor in the target."""
Pseudo = Callable[[Json, Translate], Json]
"""(item, translate) -> the parts written by calls of their own, in a form without ids."""

NESTED = frozenset(
    {
        "folder",
        "look",
        "query",
        "result_maker",
        "permission_set",
        "model_set",
        "credentials_email",
        "scheduled_plan_destination",
        "certification_metadata",
        "needed_for_ci_run",
        "value_for_ci_run",
        "custom_image_data_base64",
    }
)
"""Write-model fields restore never sends as such: objects with calls of their own, inputs
that are not state."""


@cache
def writable(model_name: str) -> frozenset[str]:
    """Field names of a looker_sdk `Write*` model, minus the nested ones."""
    model = getattr(sdk_models, model_name)
    return frozenset(f.name for f in attr.fields(model)) - NESTED


QUERY_FIELDS = writable("WriteQuery") - {"client_id"}
FILTER_FIELDS = writable("WriteDashboardFilter")
ELEMENT_FIELDS = writable("WriteDashboardElement") - {
    "dashboard_id",
    "dashboard_layout_id",
    "look_id",
    "query_id",
    "result_maker_id",
    "merge_result_id",
    "filter_id",
}
LAYOUT_FIELDS = writable("WriteDashboardLayout") - {"dashboard_id", "lookml_link_id"}
COMPONENT_FIELDS = ("row", "column", "width", "height")
SECTION_FIELDS = writable("WriteBoardSection") - {"board_id", "item_order", "deleted_at"}
BOARD_ITEM_FIELDS = writable("WriteBoardItem") - {"board_section_id", "dashboard_id", "look_id"}
DESTINATION_FIELDS = (
    *("format", "apply_formatting", "apply_vis", "address"),
    *("type", "parameters", "message"),
)
TEXT_TYPES = frozenset({"text", "button", "extension"})


def top_fields(type_name: str) -> frozenset[str]:
    """The fields one create or update call of this type writes."""
    ct = BY_NAME[type_name]
    return writable(ct.write_model) - ct.not_written


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def query_definition(query: Json | None) -> Json | None:
    """A query as Looker stores it once created: every writable field but the client id."""
    if not query:
        return None
    return {name: query.get(name) for name in sorted(QUERY_FIELDS) if name in query}


def filterables(element: Json) -> list[Json]:
    """Which dashboard filters a tile listens to (named, so no ids are involved)."""
    found = []
    for entry in (element.get("result_maker") or {}).get("filterables") or []:
        listen = [
            {"dashboard_filter_name": x.get("dashboard_filter_name"), "field": x.get("field")}
            for x in entry.get("listen") or []
        ]
        found.append(
            {"model": entry.get("model"), "view": entry.get("view"), "name": entry.get("name")}
            | {"listen": listen}
        )
    return found


MERGE_FIELDS = writable("WriteMergeQuery") - {"source_queries"}
FAVORED = (("dashboard_id", "dashboards"), ("look_id", "looks"), ("board_id", "boards"))
"""What a favourite may be of, and the type of each."""


def merge_definition(merge_query: Json | None) -> Json | None:
    """A merged-results tile's merge query without ids: its source queries by definition, so
    it can be made again anywhere. None when a source query was not backed up."""
    if not merge_query:
        return None
    sources = []
    for source in merge_query.get("source_queries") or []:
        query = query_definition(source.get("query"))
        if query is None:
            return None
        sources.append(
            {"name": source.get("name"), "merge_fields": source.get("merge_fields"), "query": query}
        )
    found = {name: merge_query.get(name) for name in sorted(MERGE_FIELDS) if name in merge_query}
    return found | {"source_queries": sources}


def active_layout(dashboard: Json) -> Json | None:
    layouts = dashboard.get("dashboard_layouts") or []
    return next((layout for layout in layouts if layout.get("active")), None)


def positions(dashboard: Json) -> dict[str, Json]:
    """element id -> its place in the active layout."""
    layout = active_layout(dashboard) or {}
    return {
        str(c["dashboard_element_id"]): {k: c.get(k) for k in COMPONENT_FIELDS}
        for c in layout.get("dashboard_layout_components") or []
        if c.get("dashboard_element_id") is not None
    }


def stored_query(element: Json) -> Json | None:
    """The query a look tile showed, as the backup holds it beside the look's id."""
    maker = element.get("result_maker") or {}
    return maker.get("query") or (element.get("look") or {}).get("query")


def element_form(element: Json, translate: Translate, position: Json | None) -> Json:
    """A tile without ids: its fields, its data source, its filter wiring and its place.

    A tile on a look that is nowhere (Looker held it dangling) becomes a query tile of the
    look's stored query; with no stored query its `look_id` is None: it is left out.
    """
    form: Json = {k: element.get(k) for k in sorted(ELEMENT_FIELDS) if k in element}
    look = None if element.get("look_id") is None else translate("looks", str(element["look_id"]))
    if look is not None:
        form["look_id"] = look
    elif element.get("look_id") is not None:
        stored = query_definition(stored_query(element))
        if stored is None:
            form["look_id"] = None
        else:
            form["query"] = stored
    elif element.get("query") or element.get("query_id") is not None:
        form["query"] = query_definition(element.get("query"))
    merged = merge_definition(element.get("merge_query"))
    if merged is not None:
        form["merge_query"] = merged
    elif element.get("merge_result_id") is not None:
        form["merge_result_id"] = element["merge_result_id"]
    if element.get("type") not in TEXT_TYPES:
        form["filterables"] = filterables(element)
    form["position"] = position
    return form


def left_out(form: Json) -> bool:
    """A tile whose look is nowhere and whose query the backup lacks: nothing to show."""
    return "look_id" in form and form["look_id"] is None


def filter_form(dashboard_filter: Json) -> Json:
    return {k: dashboard_filter.get(k) for k in sorted(FILTER_FIELDS) if k in dashboard_filter}


def layout_form(layout: Json) -> Json:
    return {k: layout.get(k) for k in sorted(LAYOUT_FIELDS) if k in layout}


def _sorted_forms(forms: list[Json]) -> list[Json]:
    return sorted(forms, key=canonical_json)


def dashboard_children(dashboard: Json, translate: Translate) -> Json:
    places = positions(dashboard)
    return {
        "dashboard_filters": _sorted_forms(
            [filter_form(f) for f in dashboard.get("dashboard_filters") or []]
        ),
        "dashboard_elements": _sorted_forms(
            [
                form
                for e in dashboard.get("dashboard_elements") or []
                if not left_out(form := element_form(e, translate, places.get(str(e["id"]))))
            ]
        ),
        "dashboard_layouts": _sorted_forms(
            [layout_form(layout) for layout in dashboard.get("dashboard_layouts") or []]
        ),
    }


def ordered(items: list[Json], order: list[Any] | None) -> list[Json]:
    """Items in the order an `*_order` list of ids gives; the rest after, by id."""
    rank = {str(item_id): i for i, item_id in enumerate(order or [])}
    return sorted(items, key=lambda x: (rank.get(str(x.get("id")), len(rank)), str(x.get("id"))))


def board_item_form(item: Json, translate: Translate) -> Json:
    form: Json = {k: item.get(k) for k in sorted(BOARD_ITEM_FIELDS) if k in item}
    form.pop("order", None)
    for field_name, type_name in (("dashboard_id", "dashboards"), ("look_id", "looks")):
        if item.get(field_name) is not None:
            form[field_name] = translate(type_name, str(item[field_name]))
    return form


def left_out_item(form: Json) -> bool:
    """A board item on content that is nowhere: the board comes back without it."""
    return any(name in form and form[name] is None for name in ("dashboard_id", "look_id"))


def section_form(section: Json, translate: Translate) -> Json:
    form: Json = {k: section.get(k) for k in sorted(SECTION_FIELDS) if k in section}
    items = ordered(section.get("board_items") or [], section.get("item_order"))
    forms = [board_item_form(i, translate) for i in items]
    form["board_items"] = [f for f in forms if not left_out_item(f)]
    return form


def destination_form(destination: Json) -> Json:
    return {k: destination.get(k) for k in DESTINATION_FIELDS if k in destination}


def translated(value: Any, type_name: str, translate: Translate) -> Any:
    """A reference or a list of them; None when the referenced item is nowhere."""
    if isinstance(value, list):
        found = [translate(type_name, str(v)) for v in value]
        return sorted(v for v in found if v is not None)
    if value is None:
        return None
    return translate(type_name, str(value))


def desired(type_name: str, item: Json, translate: Translate, pseudo: Pseudo) -> Json:
    """The backed-up item as the target should have it: writable fields, refs translated.

    A reference to an item that is nowhere is left out (not compared, not written), so the
    target keeps what it has and Looker's default applies on create.
    """
    ct = BY_NAME[type_name]
    form: Json = {k: item[k] for k in sorted(top_fields(type_name)) if k in item}
    for ref in ct.references:
        if "[" in ref.path.rstrip("[]") or ref.path.rstrip("[]") not in form:
            continue
        name = ref.path.rstrip("[]")
        value = translated(form[name], ref.type, translate)
        if value is None and form[name] is not None:
            del form[name]
        else:
            form[name] = value
    form.update(pseudo(item, translate))
    return form


def current(
    type_name: str, item: Json, pseudo: Pseudo | None = None, held: Translate | None = None
) -> Json:
    """The target's item in the same form (its ids are already target ids). `held`: None for
    what the target does not hold, so that a tile on a look Looker itself holds dangling takes
    the same form as the backed-up one (otherwise: every id as it is)."""
    ct = BY_NAME[type_name]
    form: Json = {k: item[k] for k in sorted(top_fields(type_name)) if k in item}
    for ref in ct.references:
        name = ref.path.rstrip("[]")
        if ref.path.endswith("[]") and isinstance(form.get(name), list):
            form[name] = sorted(str(v) for v in form[name])
        elif name in form and form[name] is not None:
            form[name] = str(form[name])
    if pseudo is not None:
        form.update(pseudo(item, held or (lambda _type, value: value)))
    return form


def attribute_value(value: Json) -> Json:
    """A user attribute value as compared and written: a hidden one only as hidden (Looker
    reads it back as null, so no backup has it)."""
    if value.get("value_is_hidden"):
        return {"value_is_hidden": True}
    return {"value": value.get("value")}


def writable_values(wanted: list[Json], held: list[Json], key: str) -> list[Json]:
    """The wanted values a restore can write: a hidden one only where Looker holds a hidden
    value under the same `key` (it is left alone there)."""
    hidden = {str(v.get(key)) for v in held if v.get("value_is_hidden")}
    return [v for v in wanted if not v.get("value_is_hidden") or str(v[key]) in hidden]


def access_form(folder: Json, translate: Translate) -> Json:
    """Who may view or edit a folder: inherited from its parent, or its own entries."""
    inherits = bool((folder.get("content_metadata") or {}).get("inherits", True))
    if inherits:
        return {"inherits": True}
    entries = []
    for entry in folder.get("content_metadata_access") or []:
        kind, name = ("groups", "group_id") if entry.get("group_id") else ("users", "user_id")
        holder = translate(kind, str(entry.get(name)))
        if holder is not None:
            entries.append({"permission_type": entry.get("permission_type"), name: holder})
    return {"inherits": False, "entries": sorted(entries, key=canonical_json)}


def differing(want: Json, have: Json) -> Json:
    """The fields of `want` whose value `have` does not hold: the body of a PATCH."""
    return {k: v for k, v in want.items() if canonical_json(have.get(k)) != canonical_json(v)}


def changes(want: Json, have: Json, lacking_only: frozenset[str] = frozenset()) -> list[str]:
    """Fields whose value differs; for `lacking_only` ones (a group's members), only values
    the target lacks count (extra ones are kept)."""
    found = []
    for name, value in want.items():
        if name not in have:
            continue
        if name in lacking_only:
            if set(value) - set(have[name] or []):
                found.append(name)
        elif canonical_json(value) != canonical_json(have[name]):
            found.append(name)
    return found
