"""Merge queries: immutable and deduplicated like queries, made of existing queries, and shown
by merged-results tiles."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call


def _merge(first: str, second: str, sorts: list[str] | None = None) -> m.WriteMergeQuery:
    return m.WriteMergeQuery(
        source_queries=[
            m.MergeQuerySourceQuery(name="Orders", query_id=first),
            m.MergeQuerySourceQuery(
                name="Users",
                query_id=second,
                merge_fields=[m.MergeFields(field_name="a.id", source_field_name="b.id")],
            ),
        ],
        sorts=sorts,
        vis_config={"type": "looker_column"},
    )


def _details(call: object) -> list[tuple[str, str]]:
    assert callable(call)
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        call()
    return [(e.field, e.code) for e in raised.value.errors]


def test_an_identical_merge_query_is_the_existing_one(standin: StandIn, sdk: Looker40SDK) -> None:
    made = sdk.create_merge_query(_merge("1", "2", ["a.count desc"]))
    assert made.id and made.result_maker_id
    slugs = {q["id"]: q["slug"] for q in standin.items("queries")}
    assert [(s.query_id, s.query_slug) for s in made.source_queries or []] == [
        ("1", slugs["1"]),
        ("2", slugs["2"]),
    ]
    again = sdk.create_merge_query(_merge("1", "2", ["a.count desc"]))
    assert again.id == made.id
    other = sdk.create_merge_query(_merge("1", "2", ["a.count"]))
    assert other.id != made.id
    read = sdk.merge_query(made.id, fields="id,sorts")
    assert (read.id, read.sorts) == (made.id, ["a.count desc"])
    assert standin.exchanges[-1].json().keys() == {"id", "sorts"}
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.merge_query("424242")
    assert standin.exchanges[-1].status == 404


def test_a_merge_query_merges_existing_queries(standin: StandIn, sdk: Looker40SDK) -> None:
    assert _details(lambda: sdk.create_merge_query(_merge("1", "424242"))) == [
        ("source_queries[1].query_id", "invalid")
    ]
    assert _details(lambda: sdk.create_merge_query(m.WriteMergeQuery(sorts=["x"]))) == [
        ("source_queries", "missing")
    ]
    nameless = m.WriteMergeQuery(source_queries=[m.MergeQuerySourceQuery(name="No query")])
    assert _details(lambda: sdk.create_merge_query(nameless)) == [
        ("source_queries[0].query_id", "missing")
    ]


def test_vis_config_values_are_strings(standin_factory: StandInFactory) -> None:
    """The spec types MergeQuery.vis_config as an object of strings."""
    standin = standin_factory(check_spec=False)
    body = {"source_queries": [{"query_id": "1"}], "vis_config": {"show_legend": True}}
    answer = raw_call(standin, "POST", "/merge_queries", body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "vis_config.show_legend"


def test_a_merged_results_tile_shows_its_merge_query(standin: StandIn, sdk: Looker40SDK) -> None:
    merge = sdk.create_merge_query(_merge("1", "2", ["a.count desc"]))
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="Merged", folder_id="1"))
    tile = sdk.create_dashboard_element(
        m.WriteDashboardElement(dashboard_id=dashboard.id, type="vis", merge_result_id=merge.id)
    )
    maker = tile.result_maker
    assert tile.merge_result_id == merge.id and tile.query_id is None and tile.query is None
    assert maker is not None and maker.merge_result_id == merge.id
    assert (maker.query_id, maker.query, maker.sorts) == (None, None, ["a.count desc"])
    assert maker.vis_config == {"type": "looker_column"}
    queries = {q["id"]: q for q in standin.items("queries")}
    assert [(f.model, f.view, f.name) for f in maker.filterables or []] == [
        (queries["1"]["model"], queries["1"]["view"], "Orders"),
        (queries["2"]["model"], queries["2"]["view"], "Users"),
    ]
    moved = sdk.update_dashboard_element(tile.id, m.WriteDashboardElement(query_id="1"))
    assert moved.result_maker is not None and moved.result_maker.query_id == "1"


def test_one_seeded_dashboard_in_five_has_a_merged_results_tile(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    merges = {merge["id"]: merge for merge in standin.items("merge_queries")}
    tiles = [
        (dashboard["id"], element)
        for dashboard in standin.items("dashboards")
        for element in dashboard["dashboard_elements"]
        if element["merge_result_id"]
    ]
    assert len(tiles) == len(merges) == len(standin.items("dashboards")) // 5
    for dashboard_id, element in tiles:
        merge = merges[element["merge_result_id"]]
        assert len(merge["source_queries"]) == 2
        assert sdk.merge_query(merge["id"]).source_queries is not None
        shown = next(
            e for e in sdk.dashboard(dashboard_id).dashboard_elements or [] if e.id == element["id"]
        )
        assert shown.result_maker is not None
        assert shown.result_maker.vis_config == merge["vis_config"]
