"""The dashboard LookML routes (spec dashboard_lookml, import_dashboard_from_lookml and its
deprecated alias create_dashboard_from_lookml): a user-defined dashboard exported as LookML,
and one built from LookML in one call. What the LookML carries is in lookml.py.

The import goes through the store's own calls (create or update the dashboard, create its
filters, queries, merge queries and tiles, place each tile), so every rule of those calls
holds; lookml.parse has checked all of it first, so nothing is written unless all can be.
"""

from __future__ import annotations

from typing import Any

from lookervault.local.standin import rules, shapes
from lookervault.local.standin.shapes import Json
from lookervault.local.standin.store import lookml
from lookervault.local.standin.store.dashboards import DashboardsMixin
from lookervault.local.standin.store.queries import QueriesMixin
from lookervault.local.standin.store.schedules import SchedulesMixin
from lookervault.local.standin.store.tables import require_object
from lookervault.local.standin.wire import ErrorDetail, not_found, validation_failed


class LookmlMixin(DashboardsMixin, SchedulesMixin, QueriesMixin):
    """Dashboard LookML out and in."""

    def dashboard_lookml(self, dashboard_id: str) -> Json:
        with self._lock:
            dashboard = self._objects["dashboards"].get(dashboard_id)
            if dashboard is None:
                raise not_found()
            active = next((lay for lay in dashboard["dashboard_layouts"] if lay["active"]), None)
            components = active["dashboard_layout_components"] if active else []
            places = {c["dashboard_element_id"]: c for c in components}
            tiles = [
                self._export_tile(e, places.get(e["id"])) for e in dashboard["dashboard_elements"]
            ]
            shown = [tile for tile in tiles if tile is not None]
            return {"dashboard_id": dashboard["id"], "lookml": lookml.render(dashboard, shown)}

    def _export_tile(self, element: Json, place: Json | None) -> lookml.Tile | None:
        """What a tile shows: its merge query and their sources, its query, its look's query
        or the query its result maker kept; None for a data tile that shows nothing."""
        queries = self._objects["queries"]
        merge = self._objects["merge_queries"].get(element["merge_result_id"] or "")
        if merge is not None:
            sources = tuple(queries[s["query_id"]] for s in merge["source_queries"])
            return lookml.Tile(element, place, merge=merge, sources=sources)
        query = self._tile_query(element)
        if query is not None:
            return lookml.Tile(element, place, query=query)
        if element["type"] in rules.CONTENT_FREE_ELEMENTS:
            return lookml.Tile(element, place)
        return None

    def import_dashboard_lookml(self, body: Any, caller_id: str) -> Json:
        body = require_object(body)
        if not body.get("lookml"):
            raise validation_failed([ErrorDetail("lookml", "missing", "This field is required.")])
        with self._lock:
            try:
                imported = lookml.parse(str(body["lookml"]))
            except lookml.LookmlError as exc:
                raise validation_failed([ErrorDetail("lookml", "invalid", str(exc))]) from exc
            dashboard_id = self._lookml_target(imported, body.get("folder_id"), caller_id)
            for flt in imported.filters:
                self.create_child("dashboard_filters", {**flt, "dashboard_id": dashboard_id})
            for tile in imported.tiles:
                self._build_tile(dashboard_id, tile)
            return self.get("dashboards", dashboard_id)

    def _lookml_target(self, imported: lookml.Imported, folder_id: Any, caller_id: str) -> str:
        """The dashboard holding the preferred slug, overwritten: the LookML's settings, moved
        to `folder_id` when given, its filters, tiles (and their alerts) and layouts gone;
        owner, trash state, schedules and favourites stay (UNCONFIRMED: the spec says only that
        alerts go). Else a new dashboard, in `folder_id` or the caller's personal folder."""
        dashboards = self._indexed("dashboards")
        slug = imported.dashboard.get("slug")
        existing = dashboards.get(dashboards.index("slug").first(slug) or "") if slug else None
        placed = {"folder_id": folder_id} if folder_id else {}
        if existing is None:
            caller = self._objects["users"].get(caller_id) or {}
            home = placed or {"folder_id": caller.get("personal_folder_id")}
            return str(self.create("dashboards", {**imported.dashboard, **home}, caller_id)["id"])
        self.update("dashboards", existing["id"], {**imported.dashboard, **placed}, caller_id)
        updated = dashboards[existing["id"]]
        self._drop_alerts({e["id"] for e in updated["dashboard_elements"]})
        emptied = {**updated, "dashboard_elements": [], "dashboard_filters": []}
        self._on_dashboard_create(emptied)
        dashboards[existing["id"]] = emptied
        return str(existing["id"])

    def _build_tile(self, dashboard_id: str, tile: lookml.TileBody) -> None:
        """A tile with its query (merge query), filter listeners and place, as a client
        would build it: query, element, then the component Looker made for it."""
        body = {**tile.element, "dashboard_id": dashboard_id}
        if tile.query is not None:
            query = self.create_query(tile.query)
            body["query_id"] = query["id"]
            body["result_maker"] = {"filterables": [_filterable(query, None, tile.listens, 0)]}
        elif tile.merge is not None:
            sources = [self.create_query(query) for query, _ in tile.sources]
            merged = [
                {"name": query["view"], "query_id": query["id"], "merge_fields": joins}
                for query, (_, joins) in zip(sources, tile.sources, strict=True)
            ]
            merge = self.create_merge_query({**tile.merge, "source_queries": merged}, None)
            body["merge_result_id"] = merge["id"]
            filterables = [
                _filterable(query, query["view"], tile.listens, i)
                for i, query in enumerate(sources)
            ]
            body["result_maker"] = {"filterables": filterables}
        element = self.create_child("dashboard_elements", body)
        if tile.place:
            layout = self._objects["dashboards"][dashboard_id]["dashboard_layouts"][0]
            component = next(
                c
                for c in layout["dashboard_layout_components"]
                if c["dashboard_element_id"] == element["id"]
            )
            self.update_component(component["id"], tile.place)


def _filterable(query: Json, name: str | None, listens: tuple[list[Json], ...], i: int) -> Json:
    return {**shapes.filterable(query, name), "listen": listens[i] if i < len(listens) else []}
