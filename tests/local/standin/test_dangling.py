"""The dangling seed: tiles on looks deleted for good, content of departed users, schedules on
dashboards deleted for good; what `dangling()` names is exactly what the API shows."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m

from lookervault.local.standin import SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, sdk_for


def test_the_default_seed_leaves_nothing_dangling(standin: StandIn) -> None:
    assert standin.dangling() == {}
    looks = {look["id"] for look in standin.items("looks")}
    tiles = [e for d in standin.items("dashboards") for e in d["dashboard_elements"]]
    assert all(e["look_id"] is None or e["look_id"] in looks for e in tiles)


def test_the_same_seed_leaves_the_same_references_dangling() -> None:
    first, again = StandIn(dangling=True), StandIn(dangling=True)
    other = StandIn(dangling=True, seed_value=1)
    assert first.dangling() == again.dangling() != other.dangling()
    assert first.items("dashboards") == again.items("dashboards")
    assert first.items("scheduled_plans") == again.items("scheduled_plans")


def test_tiles_name_looks_deleted_for_good(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize.scaled(80), dangling=True)
    made = standin.dangling()
    with_query, without_query = made["tiles_with_query"], made["tiles_without_query"]
    assert with_query and without_query
    live = [d for d in standin.items("dashboards") if not d["deleted"]]
    assert len(with_query) + len(without_query) == max(2, round(len(live) / 20))
    looks = {look["id"] for look in standin.items("looks")}
    sdk = sdk_for(standin)
    holders = set()
    for tile_id in with_query + without_query:
        tile = sdk.dashboard_element(tile_id)
        assert tile.look_id in made["gone_looks"] and tile.look_id not in looks
        assert tile.look is None and tile.query is None and tile.query_id is None
        assert tile.result_maker is not None
        holders.add(tile.dashboard_id)
        if tile_id in with_query:
            query = tile.result_maker.query
            assert query is not None and tile.result_maker.query_id == query.id
            assert query.id in {q["id"] for q in standin.items("queries")}
        else:
            assert tile.result_maker.query is None and tile.result_maker.query_id is None
    assert holders <= {d["id"] for d in live} and len(holders) >= 2
    for dashboard_id in holders:
        shown = {e.id for e in sdk.dashboard(dashboard_id).dashboard_elements or []}
        assert shown & set(with_query + without_query)


def test_lookml_keeps_a_tile_whose_result_maker_kept_the_query(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.scaled(80), dangling=True)
    tiles = {e["id"]: e for d in standin.items("dashboards") for e in d["dashboard_elements"]}
    sdk = sdk_for(standin)
    for kind, exported in (("tiles_with_query", True), ("tiles_without_query", False)):
        for tile_id in standin.dangling()[kind]:
            tile = tiles[tile_id]
            lookml = sdk.dashboard_lookml(tile["dashboard_id"]).lookml or ""
            assert (f"title: {tile['title']}" in lookml) is exported, tile_id


def test_departed_users_leave_their_content_behind(standin_factory: StandInFactory) -> None:
    standin = standin_factory(dangling=True)
    made = standin.dangling()
    departed = set(made["departed_users"])
    assert 1 <= len(departed) <= 2 and "1" not in departed
    users = {u["id"]: u for u in standin.items("users")}
    assert not departed & set(users) and len(users) == SeedSize().users - len(departed)
    folders = {f["id"]: f for f in standin.items("folders")}
    dashboards = {d["id"]: d for d in standin.items("dashboards")}
    orphaned = made["orphaned_dashboards"]
    assert len(orphaned) >= 3
    for dashboard_id in orphaned:
        dashboard = dashboards[dashboard_id]
        assert dashboard["user_id"] in departed and not dashboard["deleted"]
        assert not folders[dashboard["folder_id"]]["is_personal"]
    owned = [d["id"] for d in dashboards.values() if d["user_id"] in departed]
    live_shared = [
        i
        for i in owned
        if not dashboards[i]["deleted"] and not folders[dashboards[i]["folder_id"]]["is_personal"]
    ]
    assert sorted(live_shared, key=int) == orphaned
    sdk = sdk_for(standin)
    for dashboard_id in orphaned:
        assert sdk.dashboard(dashboard_id).user_id in departed
    for user_id in departed:
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.user(user_id)
    kept = [a for a in standin.items("alerts") if a["owner_id"] in departed]
    shown = {a.id for a in sdk.search_alerts(all_owners=True)}
    assert {a["id"] for a in kept} <= shown
    assert sdk.search_looks(user_id=",".join(departed), fields="id")


def test_departed_users_are_gone_as_delete_user_takes_them(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(dangling=True)
    departed = set(standin.dangling()["departed_users"])
    users = standin.items("users")
    folders = {f["id"]: f for f in standin.items("folders")}
    personal = {f["id"] for f in folders.values() if f["is_personal"]}
    assert personal == {u["personal_folder_id"] for u in users}
    users_root = next(f for f in folders.values() if f["is_users_root"])
    assert users_root["child_count"] == len(users)
    for type_name in ("looks", "dashboards"):
        assert all(obj["folder_id"] in folders for obj in standin.items(type_name))
    assert all(f["parent_id"] is None or f["parent_id"] in folders for f in folders.values())
    metas = {m["folder_id"] for m in standin.items("content_metadata") if m["folder_id"]}
    assert metas == set(folders)
    for group in standin.items("groups"):
        assert group["user_count"] == sum(group["id"] in u["group_ids"] for u in users)
    assert not any(e["user_id"] in departed for e in standin.items("content_metadata_access"))
    assert not any(f["user_id"] in departed for f in standin.items("content_favorites"))
    assert not any(p["user_id"] in departed for p in standin.items("scheduled_plans"))


def test_plans_name_dashboards_deleted_for_good(standin_factory: StandInFactory) -> None:
    standin = standin_factory(dangling=True)
    made = standin.dangling()
    assert len(made["plans_on_gone_dashboards"]) == len(made["gone_dashboards"]) == 2
    dashboards = {d["id"] for d in standin.items("dashboards")}
    assert not set(made["gone_dashboards"]) & dashboards
    users = {u["id"] for u in standin.items("users")}
    sdk = sdk_for(standin)
    for plan_id, dashboard_id in zip(
        made["plans_on_gone_dashboards"], made["gone_dashboards"], strict=True
    ):
        plan = sdk.scheduled_plan(plan_id)
        assert plan.dashboard_id == dashboard_id and plan.user_id in users
        assert plan.scheduled_plan_destination
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.dashboard(dashboard_id)
    listed = {p.id for p in sdk.all_scheduled_plans(all_users=True)}
    assert set(made["plans_on_gone_dashboards"]) <= listed


def test_new_objects_never_reuse_a_gone_id(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SeedSize.scaled(40), dangling=True)
    made = standin.dangling()
    sdk = sdk_for(standin)
    look = standin.items("looks")[0]
    new_look = sdk.create_look(
        m.WriteLookWithQuery(title="Fresh", folder_id="1", query_id=look["query_id"])
    )
    assert new_look.id not in made["gone_looks"]
    new_dashboard = sdk.create_dashboard(m.WriteDashboard(title="Fresh", folder_id="1"))
    assert new_dashboard.id not in made["gone_dashboards"]
    assert int(str(new_dashboard.id)) > max(int(i) for i in made["gone_dashboards"])
