"""Dashboard LookML: export of a user-defined dashboard, and import, new or overwriting, in one
call. What the LookML keeps and loses is listed in store/lookml.py; the round trip checks that
it loses exactly that."""

from __future__ import annotations

from typing import Any

import looker_sdk
import pytest
import yaml
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.rules import QUERY_DEFINITION
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for

Json = dict[str, Any]

LOST = {"id", "user_id", "folder_id", "deleted", "deleted_at", "deleter_id", "content_metadata_id"}
LOST |= {"created_at", "updated_at", "last_updater_id", "last_viewed_at", "last_accessed_at"}
LOST |= {"view_count", "favorite_count", "content_favorite_id", "can", "readonly"}
"""Dashboard keys the LookML does not carry: ids, owner, folder, trash state, stamps, counts."""


def _content(standin: StandIn, dashboard: Json) -> Json:
    """A dashboard as its LookML should rebuild it, ids replaced by what they name and the
    documented losses applied: a look tile becomes a tile of the look's query, filters are
    numbered in order. A component's vis_type is left out: Looker derives it from the tile,
    the stand-in's seed draws it apart, and its create leaves it unset."""
    queries = {q["id"]: q for q in standin.items("queries")}
    looks = {look["id"]: look for look in standin.items("looks")}
    merges = {merge["id"]: merge for merge in standin.items("merge_queries")}

    def definition(query_id: str) -> Json:
        return {key: queries[query_id][key] for key in QUERY_DEFINITION}

    def tile(element: Json) -> Json:
        out = {k: v for k, v in element.items() if k not in ("look", "query", "result_maker")}
        for key in ("id", "dashboard_id", "result_maker_id", "look_id", "merge_result_id"):
            out.pop(key)
        query_id = element["query_id"] or (
            looks[element["look_id"]]["query_id"] if element["look_id"] else None
        )
        out["query_id"] = definition(query_id) if query_id else None
        if element["merge_result_id"]:
            merge = dict(merges[element["merge_result_id"]])
            merge["source_queries"] = [
                {**s, "query_id": definition(s["query_id"]), "query_slug": None}
                for s in merge["source_queries"]
            ]
            out["merge"] = {k: v for k, v in merge.items() if k not in ("id", "result_maker_id")}
        maker = element["result_maker"]
        out["filterables"] = maker["filterables"] if maker else None
        return out

    layout = next(lay for lay in dashboard["dashboard_layouts"] if lay["active"])
    components = [
        {
            k: v
            for k, v in c.items()
            if k not in ("id", "dashboard_layout_id", "dashboard_element_id", "vis_type")
        }
        for c in layout["dashboard_layout_components"]
    ]
    filters = sorted(dashboard["dashboard_filters"], key=lambda f: (f["row"], int(f["id"])))
    return {
        **{k: v for k, v in dashboard.items() if k not in LOST and not k.startswith("dashboard_")},
        "tiles": [tile(e) for e in dashboard["dashboard_elements"]],
        "filters": [
            {**f, "id": None, "dashboard_id": None, "row": i} for i, f in enumerate(filters)
        ],
        "layout": {
            k: v
            for k, v in layout.items()
            if k not in ("id", "dashboard_id", "dashboard_layout_components", "dashboard_title")
        },
        "components": components,
    }


def test_every_seeded_dashboard_comes_back_from_its_lookml_but_for_what_lookml_lacks(
    standin: StandIn, sdk: Looker40SDK, standin_factory: StandInFactory
) -> None:
    target = standin_factory(seed=SeedSize.empty())
    target_sdk = sdk_for(target)
    source_dashboards = standin.items("dashboards")
    assert any(e["look_id"] for d in source_dashboards for e in d["dashboard_elements"])
    assert any(e["merge_result_id"] for d in source_dashboards for e in d["dashboard_elements"])
    assert any(d["deleted"] for d in source_dashboards)
    for dashboard in source_dashboards:
        exported = sdk.dashboard_lookml(dashboard["id"])
        assert exported.dashboard_id == dashboard["id"] and exported.lookml
        folder = target_sdk.create_folder(
            m.CreateFolder(name=f"From {dashboard['id']}", parent_id="1")
        )
        made = target_sdk.import_dashboard_from_lookml(
            m.WriteDashboardLookml(folder_id=folder.id, lookml=exported.lookml)
        )
        assert (made.folder_id, made.user_id, made.deleted) == (folder.id, "1", False)
        rebuilt = next(d for d in target.items("dashboards") if d["id"] == made.id)
        assert _content(target, rebuilt) == _content(standin, dashboard), dashboard["id"]
    assert target.items("alerts") == []
    queries = len(target.items("queries"))
    again = target_sdk.create_folder(m.CreateFolder(name="Again", parent_id="1"))
    lookml = sdk.dashboard_lookml(source_dashboards[0]["id"]).lookml
    text = lookml.replace(f"  preferred_slug: {source_dashboards[0]['slug']}\n", "")
    target_sdk.import_dashboard_from_lookml(m.WriteDashboardLookml(folder_id=again.id, lookml=text))
    assert len(target.items("queries")) == queries, "queries are deduplicated as usual"


def test_every_setting_the_lookml_carries_comes_back(
    standin: StandIn, sdk: Looker40SDK, standin_factory: StandInFactory
) -> None:
    """What the seed never sets: dashboard colours and flags, notes, hidden titles, refresh,
    text, buttons, every query key, a merge query's own keys, a filter's rarer settings."""
    dashboard = sdk.create_dashboard(
        m.WriteDashboard(
            title="Every Setting",
            folder_id="1",
            description="",
            query_timezone="Europe/Paris",
            refresh_interval="1 hour",
            preferred_viewer="dashboards",
            load_configuration="cache_run",
            crossfilter_enabled=True,
            filters_bar_collapsed=True,
            filters_location_top=False,
            background_color="#fafafa",
            show_title=False,
            title_color="#111111",
            show_filters_bar=False,
            tile_background_color="#ffffff",
            tile_text_color="#222222",
            text_tile_text_color="#333333",
        )
    )
    dashboard_id = dashboard.id or ""
    sdk.create_dashboard_filter(
        m.CreateDashboardFilter(
            dashboard_id=dashboard_id,
            name="When",
            title="When",
            type="date_filter",
            default_value="7 days",
            allow_multiple_values=False,
            required=True,
            listens_to_filters=["Country"],
            ui_config={"type": "relative_timeframes", "display": "inline", "options": []},
        )
    )
    query = sdk.create_query(
        m.WriteQuery(
            model="ecommerce",
            view="users",
            fields=["users.created_date", "users.country", "users.count", "ratio"],
            pivots=["users.country"],
            fill_fields=["users.created_date"],
            filters={"users.created_date": "30 days", "users.count": ">10"},
            filter_expression="${users.count} > 1",
            sorts=["users.created_date desc 0"],
            limit="1000",
            column_limit="50",
            total=True,
            row_total="right",
            subtotals=["users.country"],
            dynamic_fields='[{"table_calculation": "ratio", "expression": "1"}]',
            query_timezone="UTC",
            vis_config={"type": "looker_grid", "series_colors": {"users.count": "#000"}},
        )
    )
    other = sdk.create_query(m.WriteQuery(model="finance", view="orders", fields=["x"]))
    merge = sdk.create_merge_query(
        m.WriteMergeQuery(
            source_queries=[
                m.MergeQuerySourceQuery(name="users", query_id=query.id),
                m.MergeQuerySourceQuery(
                    name="orders",
                    query_id=other.id,
                    merge_fields=[m.MergeFields(field_name="users.country", source_field_name="x")],
                ),
            ],
            pivots=["users.country"],
            sorts=["users.count desc"],
            total=True,
            limit="20",
            column_limit="5",
            dynamic_fields="[]",
            vis_config={"type": "looker_column", "stacking": "normal"},
        )
    )
    listen = [
        m.ResultMakerFilterablesListen(dashboard_filter_name="When", field="users.created_date")
    ]
    filterables = [m.ResultMakerFilterables(model="ecommerce", view="users", listen=listen)]
    tiles = [
        m.WriteDashboardElement(
            type="vis",
            title="Query",
            query_id=query.id,
            title_hidden=True,
            note_text="Read me",
            note_state="collapsed",
            note_display="hover",
            refresh_interval="5 minutes",
            result_maker=m.WriteResultMakerWithIdVisConfigAndDynamicFields(filterables=filterables),
        ),
        m.WriteDashboardElement(type="vis", title="Merged", merge_result_id=merge.id),
        m.WriteDashboardElement(type="text", title_text="T", subtitle_text="S", body_text="B"),
        m.WriteDashboardElement(type="button", rich_content_json='{"text": "Go"}'),
    ]
    for row, tile in enumerate(tiles):
        tile.dashboard_id = dashboard_id
        made = sdk.create_dashboard_element(tile)
        layout = sdk.dashboard(dashboard_id).dashboard_layouts or []
        component = next(
            c
            for c in layout[0].dashboard_layout_components or []
            if c.dashboard_element_id == made.id
        )
        sdk.update_dashboard_layout_component(
            component.id or "",
            m.WriteDashboardLayoutComponent(row=row * 4, column=row, width=12 - row, height=4),
        )
    target = standin_factory(seed=SeedSize.empty())
    lookml = sdk.dashboard_lookml(dashboard_id).lookml
    made = sdk_for(target).import_dashboard_from_lookml(m.WriteDashboardLookml(lookml=lookml))
    source = next(d for d in standin.items("dashboards") if d["id"] == dashboard_id)
    rebuilt = next(d for d in target.items("dashboards") if d["id"] == made.id)
    assert _content(target, rebuilt) == _content(standin, source)


def test_the_export_is_a_lookml_dashboard_with_look_tiles_as_query_tiles(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    dashboard = next(
        d
        for d in standin.items("dashboards")
        if any(e["look_id"] for e in d["dashboard_elements"]) and d["dashboard_filters"]
    )
    lookml = sdk.dashboard_lookml(dashboard["id"]).lookml or ""
    assert lookml.startswith("---\n- dashboard: ")
    [entry] = yaml.safe_load(lookml)
    assert (entry["title"], entry["layout"], entry["preferred_slug"]) == (
        dashboard["title"],
        "newspaper",
        dashboard["slug"],
    )
    look_tiles = [e for e in dashboard["dashboard_elements"] if e["look_id"]]
    shown = [t for t in entry["elements"] if t.get("title") == look_tiles[0]["title"]]
    assert shown and "model" in shown[0] and not any("look" in key for key in shown[0])
    assert [f["name"] for f in entry["filters"]] == [
        f["name"] for f in dashboard["dashboard_filters"]
    ]
    assert not {"user_id", "folder_id", "deleted", "alerts"} & set(entry)


def test_an_import_overwrites_the_dashboard_holding_its_preferred_slug(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    """Same dashboard, moved to folder_id, its tiles rebuilt and their alerts gone; its
    schedules and owner stay."""
    alert = standin.items("alerts")[0]
    dashboard = next(
        d
        for d in standin.items("dashboards")
        if any(e["id"] == alert["dashboard_element_id"] for e in d["dashboard_elements"])
    )
    plans = [
        p["id"] for p in standin.items("scheduled_plans") if p["dashboard_id"] == dashboard["id"]
    ]
    lookml = (sdk.dashboard_lookml(dashboard["id"]).lookml or "").replace(
        f"title: {dashboard['title']}\n", "title: Rewritten\n", 1
    )
    folder = sdk.create_folder(m.CreateFolder(name="Overwrites", parent_id="1"))
    count = len(standin.items("dashboards"))
    made = sdk.import_dashboard_from_lookml(
        m.WriteDashboardLookml(folder_id=folder.id, lookml=lookml)
    )
    assert (made.id, made.title, made.folder_id) == (dashboard["id"], "Rewritten", folder.id)
    assert (made.user_id, made.slug) == (dashboard["user_id"], dashboard["slug"])
    assert len(standin.items("dashboards")) == count
    old_tiles = {e["id"] for e in dashboard["dashboard_elements"]}
    new_tiles = {e.id for e in made.dashboard_elements or []}
    assert len(new_tiles) == len(old_tiles) and not new_tiles & old_tiles
    assert not any(a["dashboard_element_id"] in old_tiles for a in standin.items("alerts"))
    kept = [
        p["id"] for p in standin.items("scheduled_plans") if p["dashboard_id"] == dashboard["id"]
    ]
    assert kept == plans
    again = sdk.import_dashboard_from_lookml(m.WriteDashboardLookml(lookml=lookml))
    assert (again.id, again.folder_id) == (dashboard["id"], folder.id), "stays where it was"


def test_an_overwritten_trashed_dashboard_stays_in_the_trash(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    """A trashed dashboard keeps its slug, so an import overwrites it; it keeps its trash
    state as it keeps its owner (UNCONFIRMED: the spec names only the alerts)."""
    trashed = next(d for d in standin.items("dashboards") if d["deleted"])
    lookml = sdk.dashboard_lookml(trashed["id"]).lookml
    made = sdk.import_dashboard_from_lookml(m.WriteDashboardLookml(lookml=lookml))
    assert (made.id, made.deleted, made.folder_id) == (trashed["id"], True, trashed["folder_id"])


def test_a_dashboard_without_a_title_exports_but_does_not_import(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    """The spec lets a dashboard's title be set to null; LookML needs one to build it."""
    assert raw_call(standin, "PATCH", "/dashboards/1", {"title": None}).status_code == 200
    lookml = sdk.dashboard_lookml("1").lookml or ""
    assert yaml.safe_load(lookml)[0]["title"] is None
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.import_dashboard_from_lookml(m.WriteDashboardLookml(folder_id="1", lookml=lookml))
    assert standin.exchanges[-1].status == 422


def test_a_new_dashboard_goes_to_the_callers_personal_folder(
    standin_factory: StandInFactory,
) -> None:
    source = standin_factory()
    lookml = sdk_for(source).dashboard_lookml("1").lookml
    target = standin_factory(seed=SeedSize.empty())
    made = sdk_for(target).import_dashboard_from_lookml(m.WriteDashboardLookml(lookml=lookml))
    caller = target.items("users")[0]
    assert (made.folder_id, made.user_id) == (caller["personal_folder_id"], caller["id"])
    assert made.slug == source.items("dashboards")[0]["slug"]
    assert sdk_for(target).dashboard(made.id or "") == made, "the answer is the dashboard in full"


def test_the_deprecated_route_imports_the_same_way(standin: StandIn, sdk: Looker40SDK) -> None:
    lookml = (sdk.dashboard_lookml("1").lookml or "").replace("preferred_slug:", "old_slug:")
    folder = sdk.create_folder(m.CreateFolder(name="Deprecated", parent_id="1"))
    before = {d["id"] for d in standin.items("dashboards")}
    made = sdk.create_dashboard_from_lookml(
        m.WriteDashboardLookml(folder_id=folder.id, lookml=lookml)
    )
    assert made.id not in before and made.folder_id == folder.id
    assert made.title == standin.items("dashboards")[0]["title"]
    assert standin.exchanges[-1].path == "/api/4.0/dashboards/from_lookml"


@pytest.mark.parametrize(
    ("lookml", "message"),
    [
        ("- dashboard: x\n  title: [unclosed", "not valid YAML"),
        ("dashboard: x", "one dashboard"),
        ("- dashboard: x\n  layout: newspaper", "title"),
        (
            "- dashboard: x\n  title: X\n  elements:\n  - name: a\n    model: m\n"
            "    explore: users\n    fields: [users.no_such_field]",
            "Unknown field users.no_such_field",
        ),
        (
            "- dashboard: x\n  title: X\n  filters:\n  - name: f\n    title: F\n"
            "    type: field_filter\n    model: m\n    explore: users\n    field: nobody.country",
            "Unknown field nobody.country",
        ),
        (
            "- dashboard: x\n  title: X\n  elements:\n  - name: a\n    type: looker_line",
            "shows nothing",
        ),
        (
            "- dashboard: x\n  title: X\n  elements:\n  - name: a\n    model: m\n"
            "    explore: users\n    row: top",
            "must be an integer",
        ),
    ],
)
def test_lookml_that_cannot_be_built_is_refused_and_nothing_is_made(
    standin: StandIn, sdk: Looker40SDK, lookml: str, message: str
) -> None:
    before = standin.counts(), len(standin.items("queries")), len(standin.items("merge_queries"))
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.import_dashboard_from_lookml(m.WriteDashboardLookml(folder_id="1", lookml=lookml))
    assert standin.exchanges[-1].status == 422
    [error] = raised.value.errors
    assert error.field == "lookml" and message in error.message
    assert (
        standin.counts(),
        len(standin.items("queries")),
        len(standin.items("merge_queries")),
    ) == before


def test_the_title_must_be_free_in_the_folder_and_lookml_given(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    dashboard = next(d for d in standin.items("dashboards") if not d["deleted"])
    lookml = (sdk.dashboard_lookml(dashboard["id"]).lookml or "").replace("preferred_slug:", "x:")
    queries = len(standin.items("queries"))
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.import_dashboard_from_lookml(
            m.WriteDashboardLookml(folder_id=dashboard["folder_id"], lookml=lookml)
        )
    assert [(e.field, e.code) for e in raised.value.errors] == [
        ("[:title, :space_id]", "already_exists")
    ]
    assert len(standin.items("queries")) == queries
    missing = raw_call(standin, "POST", "/dashboards/lookml", {"folder_id": "1"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "lookml"
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.dashboard_lookml("424242")
    assert standin.exchanges[-1].status == 404
