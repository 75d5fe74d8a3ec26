"""The seed and the list helpers, as pure functions."""

from __future__ import annotations

import pytest

from lookervault.local.standin import CONTENT_TYPES, SeedSize
from lookervault.local.standin.query import QueryError, parse_fields, project, sort
from lookervault.local.standin.seed import generate
from lookervault.local.standin.types import ROWS, TYPES


def test_same_seed_same_content_other_seed_other_content() -> None:
    size = SeedSize(dashboards=15, looks=20)
    assert generate(size, 3).objects == generate(size, 3).objects
    assert generate(size, 3).objects != generate(size, 4).objects


def test_relations_resolve() -> None:
    objects = generate(SeedSize.scaled(60), 1).objects
    folders = objects["folders"]
    assert sum(f["is_shared_root"] for f in folders.values()) == 1
    assert sum(f["is_users_root"] for f in folders.values()) == 1
    assert all(f["parent_id"] is None or f["parent_id"] in folders for f in folders.values())
    for user in objects["users"].values():
        assert folders[user["personal_folder_id"]]["is_personal"]
        assert set(user["group_ids"]) <= set(objects["groups"])
        assert set(user["role_ids"]) <= set(objects["roles"])
    for look in objects["looks"].values():
        assert look["folder_id"] in folders and look["query_id"] in objects["queries"]
    for dashboard in objects["dashboards"].values():
        assert dashboard["folder_id"] in folders and dashboard["user_id"] in objects["users"]
        element_ids = {e["id"] for e in dashboard["dashboard_elements"]}
        for element in dashboard["dashboard_elements"]:
            assert element["look_id"] is None or element["look_id"] in objects["looks"]
        for layout in dashboard["dashboard_layouts"]:
            refs = {c["dashboard_element_id"] for c in layout["dashboard_layout_components"]}
            assert refs == element_ids
    for role in objects["roles"].values():
        assert role["permission_set_id"] in objects["permission_sets"]
        assert role["model_set_id"] in objects["model_sets"]
    for entry in objects["role_groups"].values():
        assert entry["role_id"] in objects["roles"] and entry["group_ids"]
        assert set(entry["group_ids"]) <= set(objects["groups"])
    metas = objects["content_metadata"]
    for type_name in ("folders", "dashboards", "looks", "boards"):
        for obj in objects[type_name].values():
            assert metas[obj["content_metadata_id"]]["content_type"] in ("space", type_name[:-1])
    for entry in objects["content_metadata_access"].values():
        assert not metas[entry["content_metadata_id"]]["inherits"]
    favorites = objects["content_favorites"].values()
    assert len(favorites) == SeedSize.scaled(60).content_favorites
    assert len({(f["user_id"], f["content_metadata_id"]) for f in favorites}) == len(favorites)
    for favorite in favorites:
        meta = metas[favorite["content_metadata_id"]]
        assert meta["dashboard_id"] == favorite["dashboard_id"]
        assert meta["look_id"] == favorite["look_id"]
        assert meta["homepage_id"] == favorite["board_id"]
    owners = {plan["user_id"] for plan in objects["scheduled_plans"].values()}
    assert len(owners) > 1 and owners <= set(objects["users"])


def test_soft_deleted_share_is_realistic() -> None:
    objects = generate(SeedSize.scaled(400), 0).objects
    for type_name in ("dashboards", "looks"):
        items = list(objects[type_name].values())
        share = sum(item["deleted"] for item in items) / len(items)
        assert 0.05 <= share <= 0.10, type_name
        assert all(item["deleted_at"] for item in items if item["deleted"])


def test_scaled_grows_every_type() -> None:
    small, big = SeedSize(), SeedSize.scaled(200)
    assert big.dashboards == 200
    assert big.looks == small.looks * 10 and big.users == small.users * 10
    assert big.content_favorites == small.content_favorites * 10
    assert SeedSize.empty().content_favorites == 0
    assert generate(SeedSize.scaled(40)).objects["dashboards"].keys() == {
        str(i) for i in range(1, 41)
    }


def test_tiles_per_dashboard_average_what_was_asked_on_a_grid() -> None:
    """The default keeps the 2 to 6 tiles the seed always drew; other averages draw around
    theirs. Tiles sit on a grid, three 8 columns wide a row; a merged-results tile below."""
    assert SeedSize.scaled(100, tiles=15).tiles == 15 and SeedSize.scaled(100).tiles == 4
    for tiles, low, high in ((4, 2, 6), (15, 7, 23)):
        dashboards = generate(SeedSize.scaled(100, tiles=tiles)).objects["dashboards"].values()
        counts = []
        for dashboard in dashboards:
            merged = {e["id"] for e in dashboard["dashboard_elements"] if e["merge_result_id"]}
            components = dashboard["dashboard_layouts"][0]["dashboard_layout_components"]
            gridded = [c for c in components if c["dashboard_element_id"] not in merged]
            assert [(c["row"], c["column"]) for c in gridded] == [
                ((i // 3) * 6, (i % 3) * 8) for i in range(len(gridded))
            ]
            below = max((c["row"] + c["height"] for c in gridded), default=0)
            assert all(c["row"] == below for c in components if c not in gridded)
            counts.append(len(gridded))
        assert low <= min(counts) and max(counts) <= high
        assert abs(sum(counts) / len(counts) - tiles) < tiles / 10


def test_fields_selection_projects_recursively() -> None:
    selection = parse_fields("id, looks(id,query(model)),title")
    value = {
        "id": "1",
        "title": "t",
        "other": 1,
        "looks": [{"id": "2", "title": "x", "query": {"model": "m", "view": "v"}}],
    }
    assert project(value, selection) == {
        "id": "1",
        "title": "t",
        "looks": [{"id": "2", "query": {"model": "m"}}],
    }
    with pytest.raises(QueryError):
        parse_fields("id,looks(id")


def test_sort_is_numeric_for_ids_and_stable() -> None:
    items = [{"id": "10", "t": "b"}, {"id": "9", "t": "a"}, {"id": "2", "t": "b"}]
    assert [i["id"] for i in sort(items, None)] == ["2", "9", "10"]
    assert [i["id"] for i in sort(items, "t desc")] == ["2", "10", "9"]


def test_the_parts_are_off_unless_asked_for_and_change_nothing_else() -> None:
    plain = generate(SeedSize(), 2).objects
    assert plain["user_attribute_user_values"] == {}
    assert not any(a["value_is_hidden"] for a in plain["user_attributes"].values())
    assert all(len(d["dashboard_layouts"]) == 1 for d in plain["dashboards"].values())
    assert SeedSize.scaled(80).tabbed_dashboards == SeedSize.empty().themes == 0
    everything = SeedSize.everything()
    assert everything == SeedSize().with_all_parts() and everything.tabbed_dashboards > 0


def test_every_new_instance_type_comes_from_the_table() -> None:
    empty = SeedSize.empty()
    assert {name: getattr(empty, name) for name in ("users", "user_attributes", "dashboards")} == {
        "users": 1,
        "user_attributes": 3,
        "dashboards": 0,
    }
    assert tuple(row.name for row in ROWS if row.content) == CONTENT_TYPES
    assert set(generate(empty).objects) == set(TYPES)
