"""Dashboard LookML: a user-defined dashboard as `dashboard_lookml` exports it, and what
`import_dashboard_from_lookml` reads back. Pure functions; lookml_dashboards.py stores.

The YAML is a list holding one `- dashboard:` entry, with Looker's documented LookML dashboard
parameters (docs "Dashboard parameters", "Dashboard element parameters", the text tile page),
laid out as Looker's own exports are (exports of user-defined dashboards in public
repositories: key order, `name` = title with " (2)" for a repeat, `merged_queries` with
`join_fields`, `listen` one map per merged source, vis settings flat on the tile, `limit: 500`).

What the export carries: title, description, preferred_viewer, the slug as preferred_slug,
query_timezone, refresh, run on load (auto_run), the filter bar settings, the colours and
show flags (embed_style); every filter; every tile with its title, text, notes, refresh,
title_hidden, its query (or merge query and source queries) and visualisation, its filter
listeners and its place on the active layout. UNCONFIRMED: that a user-defined dashboard's run
on load and colours go to auto_run and embed_style (the LookML dashboard parameters for them).

What it does not carry, each a documented loss (no LookML dashboard parameter holds it, or
Looker's import says so):
- the owner, the folder, the trash state, ids, counts, and the alerts on its tiles (spec
  import_dashboard_from_lookml: "alerts will not be maintained");
- a look tile's look: it is exported as a query tile of the look's query (a LookML dashboard
  tile cannot name a Look; UNCONFIRMED that Looker's export does exactly this);
- `hidden`, a load configuration other than run on load, layouts other than the active one,
  a layout's own settings and a component's deleted flag;
- a tile type other than text, button or extension (a data tile comes back as `vis`), its
  result maker id, filterables beyond what `listen` says (one per query, model and view read
  from it, unnamed; a merged source's named as the source), a merged source's name (the import
  names it after its explore, UNCONFIRMED), a tile whose look or query is gone;
- a query's client id and slug, `filter_config` and `visible_ui_sections`; a visualisation
  setting named like a tile parameter; the text of `dynamic_fields` (re-written as JSON);
- a filter's `row`: filters keep their order, numbered from 0.

Import checks what Looker's LookML validator would: the YAML parses into one dashboard with a
title, each tile shows something, each filter has a name, title and type, and every field it
names is one the instance has. The stand-in models no LookML views: the fields it has are its
seed's, `view.field` for the views, dimensions and measures in seed.py (a field without a
view, a custom field, passes). Then each body the import would send is checked against the
spec's request schema, so nothing is written unless all of it can be. A merged tile's
visualisation values become strings, as the spec types a merge query's (UNCONFIRMED).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from lookervault.local.standin import rules, schema, shapes, types
from lookervault.local.standin.seed import DIMENSIONS, MEASURES, VIEWS
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.wire import ErrorDetail

KNOWN_FIELDS = frozenset(f"{view}.{name}" for view in VIEWS for name in (*DIMENSIONS, *MEASURES))

DASHBOARD_FLAGS = {
    "crossfilter_enabled": False,
    "filters_bar_collapsed": False,
    "filters_location_top": True,
}
EMBED_STYLE: Json = {
    "background_color": None,
    "show_title": True,
    "title_color": None,
    "show_filters_bar": True,
    "tile_background_color": None,
    "tile_text_color": None,
    "text_tile_text_color": None,
}
"""Dashboard keys under `embed_style`, with the value that leaves them out of an export."""

QUERY_PARAMS = tuple(
    key
    for key in rules.QUERY_DEFINITION
    if key not in ("model", "view", "fields", "vis_config", "filter_config", "visible_ui_sections")
)
"""A query's definition after model (model), view (explore), type and fields, in export order;
`vis_config` follows, flat; filter_config and visible_ui_sections are left out."""

MERGE_PARAMS = ("pivots", "sorts", "total", "limit", "column_limit", "dynamic_fields")
TEXT_PARAMS = ("title_text", "subtitle_text", "body_text", "rich_content_json", "extension_id")
NOTE_PARAMS = ("note_state", "note_display", "note_text")
PLACE = (("row", "row"), ("col", "column"), ("width", "width"), ("height", "height"))
"""LookML position -> layout component key."""

TILE_KEYS = frozenset(
    {"name", "title", "type", "model", "explore", "fields", "merged_queries", "join_fields"}
    | {"title_hidden", "refresh", "listen", "top", "left"}
    | set(QUERY_PARAMS)
    | set(TEXT_PARAMS)
    | set(NOTE_PARAMS)
    | {lookml for lookml, _ in PLACE}
)
"""Tile parameters; every other key of a tile is a visualisation setting."""


class LookmlError(ValueError):
    """LookML the import refuses: the message says what and where."""


@dataclass(frozen=True)
class Tile:
    """A tile as the export reads it: the element, its component on the active layout, and
    what it shows (a look tile: the look's query)."""

    element: Json
    place: Json | None
    query: Json | None = None
    merge: Json | None = None
    sources: tuple[Json, ...] = ()


@dataclass(frozen=True)
class TileBody:
    """A tile to build: the element's writable keys, its query (or merge query and sources,
    each with its join fields), its filter listeners (one list per filterable), its place."""

    element: Json
    query: Json | None
    merge: Json | None
    sources: tuple[tuple[Json, list[Json]], ...]
    listens: tuple[list[Json], ...]
    place: Json


@dataclass(frozen=True)
class Imported:
    """A dashboard to build: its writable keys (a slug when the LookML prefers one), its
    filters and its tiles, in order."""

    dashboard: Json
    filters: list[Json]
    tiles: list[TileBody]


# ---- export ------------------------------------------------------------------------------


def render(dashboard: Json, tiles: list[Tile]) -> str:
    entry: Json = {
        "dashboard": _dashboard_name(dashboard["title"] or ""),
        "title": dashboard["title"],
        "layout": "newspaper",
    }
    _put(entry, "preferred_viewer", dashboard["preferred_viewer"])
    _put(entry, "description", dashboard["description"])
    entry["preferred_slug"] = dashboard["slug"]
    _put(entry, "query_timezone", dashboard["query_timezone"])
    _put(entry, "refresh", dashboard["refresh_interval"])
    if dashboard["load_configuration"] == "cache_run":
        entry["auto_run"] = True
    entry.update(
        {k: dashboard[k] for k, default in DASHBOARD_FLAGS.items() if dashboard[k] != default}
    )
    style = {k: dashboard[k] for k, default in EMBED_STYLE.items() if dashboard[k] != default}
    if style:
        entry["embed_style"] = style
    if tiles:
        entry["elements"] = [
            _tile(tile, name) for tile, name in zip(tiles, _names(tiles), strict=True)
        ]
    filters = sorted(dashboard["dashboard_filters"], key=lambda f: (f["row"] or 0, int(f["id"])))
    if filters:
        entry["filters"] = [_filter(f) for f in filters]
    return yaml.dump(
        [entry], Dumper=_Dumper, sort_keys=False, allow_unicode=True, explicit_start=True
    )


def _dashboard_name(title: str) -> str:
    """As Looker names an exported dashboard: "Order Line Item - Summary" is
    order_line_item__summary (spaces become underscores, other signs go)."""
    return re.sub(r"[^a-z0-9_]", "", title.lower().replace(" ", "_"))


def _names(tiles: list[Tile]) -> Iterator[str]:
    """Each tile's `name`: its title (a text tile's title text; a button's type and id), then
    " (2)", " (3)"... for a repeat, as in Looker's exports."""
    seen: set[str] = set()
    for tile in tiles:
        element = tile.element
        if element["type"] in rules.CONTENT_FREE_ELEMENTS - {"text"}:
            base = f"{element['type']}_{element['id']}"
        else:
            base = element["title"] or element["title_text"] or ""
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name)
        yield name


def _tile(tile: Tile, name: str) -> Json:
    element = tile.element
    out: Json = {}
    _put(out, "title", element["title"])
    out["name"] = name
    filterables = (element["result_maker"] or {}).get("filterables") or []
    listens = [
        {f["dashboard_filter_name"]: f["field"] for f in each["listen"]} for each in filterables
    ]
    if tile.merge is not None:
        sources = tile.merge["source_queries"]
        out["merged_queries"] = [
            {**_query(query), **_join_fields(source, first=i == 0)}
            for i, (source, query) in enumerate(zip(sources, tile.sources, strict=True))
        ]
        out.update(_differing(tile.merge, shapes.merge_query(), MERGE_PARAMS))
        out.update(_vis(tile.merge["vis_config"]))
    elif tile.query is not None:
        out.update(_query(tile.query))
    else:
        out["type"] = element["type"]
    for key in TEXT_PARAMS:
        _put(out, key, element[key])
    if element["title_hidden"]:
        out["title_hidden"] = True
    for key in NOTE_PARAMS:
        _put(out, key, element[key])
    _put(out, "refresh", element["refresh_interval"])
    if tile.merge is not None:
        out["listen"] = listens
    elif tile.query is not None:
        out["listen"] = listens[0] if listens else {}
    if tile.place is not None:
        out.update({lookml: tile.place[key] for lookml, key in PLACE})
    return out


def _query(query: Json) -> Json:
    out: Json = {"model": query["model"], "explore": query["view"]}
    vis = _vis(query["vis_config"])
    if "type" in vis:
        out["type"] = vis.pop("type")
    out["fields"] = query["fields"]
    out.update(_differing(query, types.blank("queries"), QUERY_PARAMS, always=("limit",)))
    out.update(vis)
    return out


def _differing(source: Json, blank: Json, keys: Iterable[str], always: Iterable[str] = ()) -> Json:
    """The keys whose value is not the blank's, as LookML writes them (a limit as a number,
    dynamic fields as YAML): a missing key is the blank's value on import."""
    out: Json = {}
    for key in keys:
        value = source[key]
        if value == blank[key] and key not in always:
            continue
        if key in ("limit", "column_limit") and isinstance(value, str) and value.isdigit():
            value = int(value)
        elif key == "dynamic_fields" and isinstance(value, str):
            value = _json_or_text(value)
        out[key] = value
    return out


def _vis(vis_config: Json | None) -> Json:
    return {k: v for k, v in (vis_config or {}).items() if k not in TILE_KEYS or k == "type"}


def _join_fields(source: Json, *, first: bool) -> Json:
    fields = source["merge_fields"]
    return {"join_fields": fields} if fields or not first else {}


def _filter(flt: Json) -> Json:
    out: Json = {"name": flt["name"], "title": flt["title"], "type": flt["type"]}
    _put(out, "default_value", flt["default_value"])
    out.update(
        allow_multiple_values=flt["allow_multiple_values"],
        required=flt["required"],
        ui_config=flt["ui_config"],
    )
    _put(out, "model", flt["model"])
    _put(out, "explore", flt["explore"])
    out["listens_to_filters"] = flt["listens_to_filters"]
    _put(out, "field", flt["dimension"])
    return out


def _put(out: Json, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Dumper(yaml.CSafeDumper):
    """Looker's layout: a list of plain values on one line, everything else in blocks."""


def _represent_list(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    flat = not any(isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


def _represent_dict(dumper: _Dumper, data: Json) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


# ---- import ------------------------------------------------------------------------------


def parse(text: str) -> Imported:
    """The dashboard that LookML describes, or LookmlError saying what is wrong."""
    try:
        loaded = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise LookmlError(f"LookML is not valid YAML: {exc}") from exc
    if not (isinstance(loaded, list) and len(loaded) == 1 and isinstance(loaded[0], dict)):
        raise LookmlError("LookML must be a list holding one dashboard (- dashboard: name).")
    entry = _plain(loaded[0])
    if "dashboard" not in entry or not _text(entry.get("title")):
        raise LookmlError("The dashboard needs a name (dashboard:) and a title.")
    imported = Imported(
        dashboard=_dashboard(entry),
        filters=[
            _filter_body(f, row) for row, f in enumerate(_maps(entry, "filters", "dashboard"))
        ],
        tiles=[_tile_body(t) for t in _maps(entry, "elements", "dashboard")],
    )
    _check(imported)
    return imported


def _dashboard(entry: Json) -> Json:
    body: Json = {
        "title": _text(entry["title"]),
        "description": _text(entry.get("description")),
        "preferred_viewer": _text(entry.get("preferred_viewer")) or "dashboards-next",
        "query_timezone": _text(entry.get("query_timezone")),
        "refresh_interval": _text(entry.get("refresh")),
        "load_configuration": "cache_run" if entry.get("auto_run") is True else "wait",
    }
    body.update({k: entry.get(k, default) for k, default in DASHBOARD_FLAGS.items()})
    style = entry.get("embed_style") or {}
    if not isinstance(style, dict):
        raise LookmlError("embed_style must be a mapping.")
    body.update({k: style.get(k, default) for k, default in EMBED_STYLE.items()})
    if entry.get("preferred_slug") is not None:
        body["slug"] = _text(entry["preferred_slug"])
    return body


def _filter_body(flt: Json, row: int) -> Json:
    blank = shapes.dashboard_filter()
    body: Json = {
        "name": _text(flt.get("name")),
        "title": _text(flt.get("title")),
        "type": _text(flt.get("type")),
        "default_value": _text(flt.get("default_value")),
        "model": _text(flt.get("model")),
        "explore": _text(flt.get("explore")),
        "dimension": _text(flt.get("field")),
        "row": row,
        "listens_to_filters": _texts(flt.get("listens_to_filters", [])),
    }
    body.update(
        {k: flt.get(k, blank[k]) for k in ("allow_multiple_values", "required", "ui_config")}
    )
    missing = [key for key in ("name", "title", "type") if not body[key]]
    if missing:
        raise LookmlError(f"Filter {row + 1} needs {', '.join(missing)}.")
    return body


def _tile_body(tile: Json) -> TileBody:
    where = f"element {_text(tile.get('name')) or _text(tile.get('title')) or '(unnamed)'}"
    element: Json = {k: _text(tile.get(k)) for k in ("title", *TEXT_PARAMS, *NOTE_PARAMS)}
    element["refresh_interval"] = _text(tile.get("refresh"))
    element["title_hidden"] = tile.get("title_hidden", False)
    listens = tuple(
        [
            {"dashboard_filter_name": _text(name), "field": _text(field)}
            for name, field in each.items()
        ]
        for each in _listens(tile.get("listen"), where)
    )
    place = {key: tile[lookml] for lookml, key in PLACE if tile.get(lookml) is not None}
    if "merged_queries" in tile:
        sources = tuple(
            (_query_body(source, where), _join_body(source, where))
            for source in _maps(tile, "merged_queries", where)
        )
        if not sources:
            raise LookmlError(f"The merged_queries of {where} are empty.")
        merge = _definition(tile, shapes.merge_query(), MERGE_PARAMS)
        merge.update(pivots=_texts(merge["pivots"]), sorts=_texts(merge["sorts"]))
        vis = {k: v if isinstance(v, str) else json.dumps(v) for k, v in _vis_body(tile).items()}
        merge["vis_config"] = vis or None
        return TileBody({**element, "type": "vis"}, None, merge, sources, listens, place)
    if "model" in tile or "explore" in tile:
        query = _query_body(tile, where)
        return TileBody({**element, "type": "vis"}, query, None, (), listens, place)
    kind = _text(tile.get("type"))
    if not isinstance(kind, str) or kind not in rules.CONTENT_FREE_ELEMENTS:
        raise LookmlError(f"{where} shows nothing: give it model and explore, or merged_queries.")
    return TileBody({**element, "type": kind}, None, None, (), (), place)


def _query_body(source: Json, where: str) -> Json:
    model, explore = _text(source.get("model")), _text(source.get("explore"))
    if not (model and explore):
        raise LookmlError(f"A query of {where} needs a model and an explore.")
    body = _definition(source, types.blank("queries"), QUERY_PARAMS)
    body.update(model=model, view=explore, fields=_texts(source.get("fields", [])))
    for key in ("pivots", "fill_fields", "sorts", "subtotals"):
        body[key] = _texts(body[key])
    if isinstance(body["filters"], dict):
        body["filters"] = {str(k): _text(v) for k, v in body["filters"].items()}
    body["vis_config"] = _vis_body(source)
    unknown = [f for f in _field_names(body) if _unknown(f)]
    if unknown:
        raise LookmlError(f"Unknown field {unknown[0]} in {where}.")
    return body


def _definition(source: Json, blank: Json, keys: Iterable[str]) -> Json:
    """A query's (merge query's) keys from LookML, the blank's value where it says nothing."""
    body = {key: source.get(key, blank[key]) for key in keys}
    for key in ("limit", "column_limit", "row_total", "filter_expression", "query_timezone"):
        if key in body:
            body[key] = _text(body[key])
    if isinstance(body.get("dynamic_fields"), list | dict):
        body["dynamic_fields"] = json.dumps(body["dynamic_fields"])
    return body


def _vis_body(source: Json) -> Json:
    vis = {"type": source["type"]} if source.get("type") is not None else {}
    return vis | {k: v for k, v in source.items() if k not in TILE_KEYS}


def _join_body(source: Json, where: str) -> list[Json]:
    joins = [
        {
            "field_name": _text(j.get("field_name")),
            "source_field_name": _text(j.get("source_field_name")),
        }
        for j in _maps(source, "join_fields", where)
    ]
    unknown = [
        name for j in joins for name in (j["field_name"], j["source_field_name"]) if _unknown(name)
    ]
    if unknown:
        raise LookmlError(f"Unknown field {unknown[0]} in the join_fields of {where}.")
    return joins


def _field_names(query: Json) -> list[str]:
    names = [*_listed(query["fields"]), *_listed(query["pivots"]), *_listed(query["fill_fields"])]
    names += [sort.split()[0] for sort in _listed(query["sorts"]) if sort.split()]
    filters = query["filters"]
    return names + (list(filters) if isinstance(filters, dict) else [])


def _listed(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _listens(listen: Any, where: str) -> list[Json]:
    """A query tile listens with one map (filter name -> field), a merged tile with one map
    per source."""
    maps = [listen] if isinstance(listen, dict) else listen or []
    if not (isinstance(maps, list) and all(isinstance(m, dict) for m in maps)):
        raise LookmlError(f"The listen of {where} must be a map, or a list of maps.")
    unknown = [field for m in maps for field in map(_text, m.values()) if _unknown(field)]
    if unknown:
        raise LookmlError(f"Unknown field {unknown[0]} in the listen of {where}.")
    return maps


def _check(imported: Imported) -> None:
    """Every body the import will send, checked as the API checks a request, before any is
    sent: types against the spec, then filters as Looker checks them and the fields they name."""
    titles: set[str] = set()
    for flt in imported.filters:
        _schema("POST /dashboard_filters", {**flt, "dashboard_id": "0"})
        _refuse("dashboard_filters", rules.filter_errors(flt, titles))
        titles.add(flt["title"])
        if _unknown(flt["dimension"]):
            raise LookmlError(f"Unknown field {flt['dimension']} in filter {flt['name']}.")
    _schema("POST /dashboards", {**imported.dashboard, "folder_id": "0"})
    for tile in imported.tiles:
        queries = [tile.query] if tile.query else [query for query, _ in tile.sources]
        for query in queries:
            _schema("POST /queries", query)
        if tile.merge is not None:
            sources = [{"query_id": "0", "merge_fields": joins} for _, joins in tile.sources]
            _schema("POST /merge_queries", {**tile.merge, "source_queries": sources})
        listening = {"filterables": [{"listen": listen} for listen in tile.listens]}
        element = {**tile.element, "dashboard_id": "0", "result_maker": listening}
        _schema("POST /dashboard_elements", element)
        _schema("PATCH /dashboard_layout_components/{dashboard_layout_component_id}", tile.place)


def _schema(operation: str, body: Json) -> None:
    _, errors = schema.check_body(operation, body)
    _refuse(operation.split()[1].split("/")[1], errors)


def _refuse(where: str, errors: list[ErrorDetail]) -> None:
    if errors:
        raise LookmlError(f"{where}: {errors[0].field} {errors[0].message}")


def _unknown(field: Any) -> bool:
    """Whether a field reference names a view the stand-in lacks, or a field its view lacks."""
    return isinstance(field, str) and "." in field and field not in KNOWN_FIELDS


def _maps(mapping: Json, key: str, where: str) -> list[Json]:
    value = mapping.get(key) or []
    if not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
        raise LookmlError(f"The {key} of {where} must be a list of mappings.")
    return value


def _texts(value: Any) -> Any:
    return [_text(item) for item in value] if isinstance(value, list) else value


def _text(value: Any) -> Any:
    """A string as LookML means it: YAML reads `50` as a number and `No` as false."""
    if value is None or isinstance(value, str | dict | list):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _plain(value: Any) -> Any:
    """YAML's values as JSON has them: keys as strings, dates as text, sets as lists."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(_text(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
