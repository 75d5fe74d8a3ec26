"""Dashboards and their parts: tiles (elements) with their result makers, filters, layouts and
layout components; how a tile is shown, where a new tile or layout is placed, and a dashboard's
slug. The generic child calls in core.py store the parts and call the rules here.
"""

from __future__ import annotations

from typing import Any

from lookervault.local.standin import rules, shapes
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store.tables import (
    ALREADY_EXISTS,
    Tables,
    projected,
    require_object,
)
from lookervault.local.standin.wire import ApiError, ErrorDetail, not_found, validation_failed


class DashboardsMixin(Tables):
    """A dashboard's parts: reading and placing them, and the checks on a tile."""

    def _on_dashboard_create(self, obj: Json) -> None:
        """A new dashboard starts with one layout, the active one."""
        layout = shapes.dashboard_layout()
        layout.update(id=self.new_id("dashboard_layouts"), dashboard_id=obj["id"])
        obj["dashboard_layouts"] = [layout]

    def dashboard_children(
        self, dashboard_id: str, child_type: str, fields: str | None
    ) -> list[Json]:
        with self._lock:
            dashboard = self._objects["dashboards"].get(dashboard_id)
            if dashboard is None:
                raise not_found()
            if child_type == "dashboard_elements":
                rendered = [self._element(e) for e in dashboard[child_type]]
            elif child_type == "dashboard_layouts":
                rendered = [self._layout(dashboard, lay) for lay in dashboard[child_type]]
            else:
                rendered = dashboard[child_type]
        return [projected(child, fields) for child in rendered]

    def layout_components(self, layout_id: str, fields: str | None) -> list[Json]:
        with self._lock:
            parent, layout = self._find_child("dashboard_layouts", layout_id)
            shown = self._layout(parent, layout)["dashboard_layout_components"]
            return [projected(c, fields) for c in shown]

    def get_component(self, component_id: str, fields: str | None) -> Json:
        with self._lock:
            dashboard, _, component = self._find_component(component_id)
            return projected(self._component(dashboard, component), fields)

    def update_component(self, component_id: str, body: Any) -> Json:
        """A tile's place (coarse and, from 26.0, granular), `deleted`, and which layout (tab)
        of its dashboard it is on; never which tile it places."""
        body = require_object(body)
        with self._lock:
            dashboard, layout, component = self._find_component(component_id)
            movable: tuple[str, ...] = ("row", "column", "width", "height", "deleted")
            movable += shapes.GRANULAR if self.granular else ()
            changes = {k: body[k] for k in movable if k in body}
            if self.granular and self.answers.granular_derived:
                changes = _derived(changes)
            target = self._target_layout(dashboard, layout, component, body)
            new_component = {**component, **changes, "dashboard_layout_id": target["id"]}
            layouts = []
            for lay in dashboard["dashboard_layouts"]:
                kept = [c for c in lay["dashboard_layout_components"] if c["id"] != component_id]
                if lay["id"] == target["id"]:
                    at = next(
                        (
                            i
                            for i, c in enumerate(lay["dashboard_layout_components"])
                            if c["id"] == component_id
                        ),
                        len(kept),
                    )
                    kept.insert(at, new_component)
                layouts.append({**lay, "dashboard_layout_components": kept})
            new_dashboard = {**dashboard, "dashboard_layouts": layouts}
            self._objects["dashboards"][dashboard["id"]] = new_dashboard
            return self._component(new_dashboard, new_component)

    def _target_layout(self, dashboard: Json, layout: Json, component: Json, body: Json) -> Json:
        """The layout a component goes to: another layout (tab) of the same dashboard that
        does not place that tile yet (else 422, UNCONFIRMED), or its own."""
        wanted = body.get("dashboard_layout_id")
        if wanted in (None, "", layout["id"]):
            return layout
        layouts: list[Json] = dashboard["dashboard_layouts"]
        target = next((lay for lay in layouts if lay["id"] == wanted), None)
        if target is None:
            message = "No layout of this dashboard with that id."
            raise validation_failed([ErrorDetail("dashboard_layout_id", "invalid", message)])
        element_id = component["dashboard_element_id"]
        if any(
            c["dashboard_element_id"] == element_id for c in target["dashboard_layout_components"]
        ):
            message = "The tile is already on that layout."
            raise validation_failed([ErrorDetail("dashboard_layout_id", "already_exists", message)])
        return target

    def _element(self, element: Json) -> Json:
        """A tile with its look or query embedded and its result maker, as Looker shows them:
        a merged-results tile's result maker shows its merge query's sorts, totals and
        visualisation, and no query of its own."""
        out = dict(element)
        stored_maker = out.pop("result_maker")
        look = self._objects["looks"].get(element["look_id"] or "")
        if look is not None:
            out["look"] = self._render("looks", look, detail=True)
        own = self._objects["queries"].get(element["query_id"] or "")
        if own is not None:
            out["query"] = own
        source = self._tile_query(element)
        if element["type"] in rules.CONTENT_FREE_ELEMENTS or stored_maker is None:
            out["result_maker"] = None
            return out
        shown = source or self._objects["merge_queries"].get(element["merge_result_id"] or "")
        out["result_maker"] = {
            "id": element["result_maker_id"],
            "dynamic_fields": shown["dynamic_fields"] if shown else None,
            "filterables": [dict(f) for f in stored_maker["filterables"]],
            "sorts": list(shown["sorts"] or []) if shown else None,
            "merge_result_id": element["merge_result_id"],
            "total": bool(shown["total"]) if shown else False,
            "query_id": source["id"] if source else None,
            "sql_query_id": None,
            "query": source,
            "vis_config": shown["vis_config"] if shown else None,
        }
        return out

    def _tile_query(self, element: Json) -> Json | None:
        """The query a tile shows: its own, else its look's, else the one its result maker
        kept when its look was deleted for good (a seeded dangling tile)."""
        queries = self._objects["queries"]
        own = queries.get(element["query_id"] or "")
        if own is not None:
            return own
        look = self._objects["looks"].get(element["look_id"] or "")
        kept = (element["result_maker"] or {}).get("query_id")
        return queries.get((look["query_id"] if look is not None else kept) or "")

    def _layout(self, dashboard: Json, layout: Json) -> Json:
        """A layout as the release shows it: a tab's label and order from 25.18."""
        shown = {
            **layout,
            "dashboard_title": dashboard["title"],
            "dashboard_layout_components": [
                self._component(dashboard, c) for c in layout["dashboard_layout_components"]
            ],
        }
        return shown if self.layout_tabs else _without(shown, shapes.TAB_KEYS)

    def _component(self, dashboard: Json, component: Json) -> Json:
        """A component as the release shows it: granular positions from 26.0."""
        elements = {e["id"]: e for e in dashboard["dashboard_elements"]}
        shown = _component(elements, component)
        return shown if self.granular else _without(shown, shapes.GRANULAR)

    def _find_component(self, component_id: str) -> tuple[Json, Json, Json]:
        """(dashboard, layout, component) for a layout component id."""
        dashboard = self._parent_of("dashboards", "dashboard_layout_components", component_id)
        return next(
            (dashboard, layout, component)
            for layout in dashboard["dashboard_layouts"]
            for component in layout["dashboard_layout_components"]
            if component["id"] == component_id
        )

    def _settle_element(self, body: Json, element: Json, element_id: str | None) -> None:
        """A tile's result maker: reused by id, or new when its data source changes; the
        `result_maker.filterables` sent are kept, an inline `query` is not created."""
        maker_id = body.get("result_maker_id")
        if maker_id and not any(body.get(name) for name in rules.DATA_SOURCES):
            source = self._element_with_maker(str(maker_id))
            if source is None:
                raise validation_failed(
                    [ErrorDetail("result_maker_id", "invalid", "No result maker with that id")]
                )
            for name in rules.DATA_SOURCES:
                element[name] = source[name]
        elif element_id is None or any(name in body for name in rules.DATA_SOURCES):
            element["result_maker_id"] = self.new_id("result_makers")
        if element["type"] in rules.CONTENT_FREE_ELEMENTS:
            element["result_maker_id"] = None
            element["result_maker"] = None
            return
        sent = body.get("result_maker") or {}
        changed = any(name in body for name in rules.DATA_SOURCES)
        kept = {} if changed else element.get("result_maker") or {}
        if sent.get("filterables") is not None:
            filterables = [_filterable(f) for f in sent["filterables"]]
            element["result_maker"] = {**kept, "filterables": filterables}
        elif not kept:
            element["result_maker"] = {"filterables": self._default_filterables(element)}

    def _element_with_maker(self, maker_id: str) -> Json | None:
        """A tile showing that result maker (any: tiles sharing one share its data source)."""
        dashboards = self._indexed("dashboards")
        dashboard = dashboards.get(dashboards.index("result_makers").first(maker_id) or "")
        if dashboard is None:
            return None
        elements: list[Json] = dashboard["dashboard_elements"]
        return next(e for e in elements if e["result_maker_id"] == maker_id)

    def _default_filterables(self, element: Json) -> list[Json]:
        """Looker derives a tile's filterables from its query (a merged-results tile's: one
        per source query, named as the source); none listen to filters yet."""
        merge = self._objects["merge_queries"].get(element["merge_result_id"] or "")
        if merge is not None:
            return [
                shapes.filterable(self._objects["queries"][s["query_id"]], s["name"])
                for s in merge["source_queries"]
            ]
        source = self._tile_query(element)
        if source is None:
            return []
        return [shapes.filterable(source, None)]

    def _with_component(self, layout: Json, element: Json) -> Json:
        """The layout with the new tile below the others (granular positions derived where
        the answers say so)."""
        component = shapes.component_below(
            self.new_id("dashboard_layout_components"),
            layout,
            element,
            "text" if element["type"] == "text" else None,
        )
        if self.answers.granular_derived:
            component.update(_derived({k: component[k] for k in shapes.COARSE}))
        return {
            **layout,
            "dashboard_layout_components": [*layout["dashboard_layout_components"], component],
        }

    def _on_new_element(self, dashboard: Json, element: Json) -> Json:
        """A new tile goes below the others on every layout of its dashboard, or where the
        answers say so on the active layout (tab) only (UNCONFIRMED)."""
        everywhere = self.answers.components_on_every_layout
        return {
            **dashboard,
            "dashboard_layouts": [
                self._with_component(layout, element) if everywhere or layout["active"] else layout
                for layout in dashboard["dashboard_layouts"]
            ],
        }

    def _with_new_layout(self, dashboard: Json, layout: Json, body: Json) -> Json:
        """A new layout places every tile of its dashboard, or where the answers say so none
        (a new tab starts empty; UNCONFIRMED); an active one replaces the old. From 25.18 a
        layout without an `order` comes after the others (UNCONFIRMED); before, it has no
        tab's label or order."""
        if self.answers.components_on_every_layout:
            for element in dashboard["dashboard_elements"]:
                layout.update(self._with_component(layout, element))
        others = [lay for lay in dashboard["dashboard_layouts"] if lay["id"] != layout["id"]]
        if not self.layout_tabs:
            layout.update(label=None, order=0)
        elif body.get("order") is None:
            layout["order"] = max((lay["order"] or 0 for lay in others), default=-1) + 1
        layouts = dashboard["dashboard_layouts"]
        if layout["active"]:
            layouts = [
                {**lay, "active": lay["id"] == layout["id"]}
                if lay["id"] != layout["id"]
                else layout
                for lay in layouts
            ]
        else:
            layouts = [layout if lay["id"] == layout["id"] else lay for lay in layouts]
        return {**dashboard, "dashboard_layouts": layouts}

    def _settle_slug(self, body: Json, old: Json | None, new: Json) -> None:
        """A dashboard's slug is unique instance-wide, trashed dashboards included: a taken
        slug is refused (409 on create), a missing one is made."""
        wanted = body.get("slug")
        slugs = self._indexed("dashboards").index("slug")
        if wanted is None:
            if old is None:
                new["slug"] = self._free_token(22, slugs)
            return
        if wanted == "":
            raise validation_failed([ErrorDetail("slug", "invalid", "Slug must not be empty.")])
        own = old["id"] if old else None
        if any(holder != own for holder in slugs.ids(wanted)):
            if old is None:
                raise ApiError(409, ALREADY_EXISTS)
            raise validation_failed(
                [ErrorDetail("slug", "already_exists", "Slug is already taken.")]
            )


def _component(elements: dict[str, Json], component: Json) -> Json:
    """A tile's place on a layout; its title is the tile's current title."""
    element = elements.get(component["dashboard_element_id"])
    out = dict(component)
    if element is not None:
        out["element_title"] = element["title"] or element["title_text"]
        out["element_title_hidden"] = element["title_hidden"]
    return out


def _derived(changes: Json) -> Json:
    """Coarse positions written alone bring their granular ones, and granular alone their
    coarse ones (GRANULAR_SCALE cells to one; UNCONFIRMED)."""
    derived = dict(changes)
    for coarse, granular in zip(shapes.COARSE, shapes.GRANULAR, strict=True):
        if isinstance(changes.get(coarse), int) and granular not in changes:
            derived[granular] = changes[coarse] * shapes.GRANULAR_SCALE
        elif isinstance(changes.get(granular), int) and coarse not in changes:
            derived[coarse] = round(changes[granular] / shapes.GRANULAR_SCALE)
    return derived


def _without(shown: Json, keys: tuple[str, ...]) -> Json:
    return {k: v for k, v in shown.items() if k not in keys}


def _filterable(sent: Json) -> Json:
    return {
        "model": sent.get("model"),
        "view": sent.get("view"),
        "name": sent.get("name"),
        "listen": [
            {
                "dashboard_filter_name": listen.get("dashboard_filter_name"),
                "field": listen.get("field"),
            }
            for listen in sent.get("listen") or []
        ],
    }
