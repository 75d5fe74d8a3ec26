"""List and search calls: paging, sorts, fields projection, deleted and owner scopes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, sdk_for

Lister = Callable[..., Sequence[Any]]

PAGED: dict[str, Lister] = {
    "folders": lambda sdk, limit, offset: sdk.search_folders(
        limit=limit, offset=offset, sorts="name desc", fields="id,name"
    ),
    "boards": lambda sdk, limit, offset: sdk.search_boards(
        limit=limit, offset=offset, sorts="title", fields="id,title"
    ),
    "users": lambda sdk, limit, offset: sdk.search_users(
        limit=limit, offset=offset, sorts="last_name, first_name", fields="id,last_name"
    ),
    "groups": lambda sdk, limit, offset: sdk.search_groups(
        limit=limit, offset=offset, sorts="name", fields="id,name"
    ),
    "roles": lambda sdk, limit, offset: sdk.search_roles(
        limit=limit, offset=offset, sorts="id", fields="id,name"
    ),
    "permission_sets": lambda sdk, limit, offset: sdk.search_permission_sets(
        limit=limit, offset=offset, sorts="id", fields="id"
    ),
    "model_sets": lambda sdk, limit, offset: sdk.search_model_sets(
        limit=limit, offset=offset, sorts="id", fields="id"
    ),
    "alerts": lambda sdk, limit, offset: sdk.search_alerts(
        limit=limit, offset=offset, all_owners=True
    ),
    "lookml_models": lambda sdk, limit, offset: sdk.all_lookml_models(
        limit=limit, offset=offset, fields="name,label"
    ),
    "content_favorites": lambda sdk, limit, offset: sdk.search_content_favorites(
        limit=limit, offset=offset, sorts="user_id desc", fields="id,user_id"
    ),
}

SIZE = SeedSize(
    dashboards=23,
    looks=31,
    folders=17,
    boards=9,
    users=19,
    groups=8,
    roles=7,
    permission_sets=6,
    model_sets=5,
    user_attributes=7,
    scheduled_plans=13,
    alerts=11,
    lookml_models=8,
    content_favorites=26,
)


def _pages(lister: Lister, sdk: Looker40SDK, limit: int) -> list[Any]:
    got: list[Any] = []
    offset = 0
    while True:
        page = lister(sdk, limit, offset)
        got += page
        if len(page) < limit:
            return got
        offset += limit


@pytest.mark.parametrize("type_name", sorted(PAGED))
def test_paging_returns_every_item_once(standin_factory: StandInFactory, type_name: str) -> None:
    standin = standin_factory(seed=SIZE)
    sdk = sdk_for(standin)
    limit = 3
    got = _pages(PAGED[type_name], sdk, limit=limit)
    key = "name" if type_name == "lookml_models" else "id"
    ids = [getattr(item, key) for item in got]
    assert len(ids) == len(set(ids)) == standin.counts()[type_name]
    assert set(ids) == {item[key] for item in standin.items(type_name)}
    pages = sum(e.path.endswith(("/search", "/lookml_models")) for e in standin.exchanges)
    assert pages == len(ids) // limit + 1


def test_sorts_order_pages_and_break_ties_by_id(standin_factory: StandInFactory) -> None:
    sdk = sdk_for(standin_factory(seed=SIZE))
    users = _pages(PAGED["users"], sdk, limit=5)
    names = [u.last_name.lower() for u in users]
    assert names == sorted(names)
    folders = _pages(PAGED["folders"], sdk, limit=5)
    folder_names = [f.name.lower() for f in folders]
    assert folder_names == sorted(folder_names, reverse=True)
    roles = sdk.search_roles(sorts="id desc", fields="id")
    assert [r.id for r in roles] == sorted((r.id for r in roles), key=int, reverse=True)


def test_dashboards_and_looks_page_by_deleted_status(standin_factory: StandInFactory) -> None:
    standin = standin_factory(seed=SIZE)
    sdk = sdk_for(standin)
    for type_name, search in (
        (
            "dashboards",
            lambda limit, offset, deleted: sdk.search_dashboards(
                deleted=deleted, limit=limit, offset=offset, sorts="id", fields="id,deleted"
            ),
        ),
        (
            "looks",
            lambda limit, offset, deleted: sdk.search_looks(
                deleted=deleted == "true",
                limit=limit,
                offset=offset,
                sorts="id",
                fields="id,deleted",
            ),
        ),
    ):
        truth = {item["id"]: item["deleted"] for item in standin.items(type_name)}
        live = _pages(lambda _sdk, limit, offset, s=search: s(limit, offset, "false"), sdk, 6)
        gone = _pages(lambda _sdk, limit, offset, s=search: s(limit, offset, "true"), sdk, 6)
        assert {d.id for d in live} == {i for i, deleted in truth.items() if not deleted}
        assert {d.id for d in gone} == {i for i, deleted in truth.items() if deleted}
        assert gone and all(d.deleted for d in gone) and not any(d.deleted for d in live)
    default = sdk.search_dashboards(fields="id")
    assert len(default) == sum(not d["deleted"] for d in standin.items("dashboards"))


def test_fields_projection_keeps_only_requested_keys_recursively(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    sdk.search_dashboards(fields="id,title", limit=3)
    assert [set(d) for d in standin.exchanges[-1].json()] == [{"id", "title"}] * 3
    dashboard_id = next(
        d["id"]
        for d in standin.items("dashboards")
        if any(e["look_id"] for e in d["dashboard_elements"])
    )
    sdk.dashboard(dashboard_id, fields="id,dashboard_elements(id,look(id,title,query(model,view)))")
    body = standin.exchanges[-1].json()
    assert set(body) == {"id", "dashboard_elements"}
    elements = body["dashboard_elements"]
    assert all(set(e) <= {"id", "look"} for e in elements)
    looks = [e["look"] for e in elements if "look" in e]
    assert looks and all(set(look) == {"id", "title", "query"} for look in looks)
    assert all(set(look["query"]) == {"model", "view"} for look in looks)


def test_list_calls_leave_out_what_only_the_detail_has(standin: StandIn, sdk: Looker40SDK) -> None:
    listed = sdk.search_dashboards(limit=2)
    assert all(d.dashboard_elements is None and d.dashboard_layouts is None for d in listed)
    full = sdk.dashboard(listed[0].id)
    assert full.dashboard_elements and full.dashboard_layouts


def test_search_filters_with_wildcards_and_id_lists(standin: StandIn, sdk: Looker40SDK) -> None:
    children = sdk.search_folders(parent_id="1", fields="id,name,parent_id")
    truth = {f["id"] for f in standin.items("folders") if f["parent_id"] == "1"}
    assert {f.id for f in children} == truth and truth
    title = standin.items("looks")[0]["title"]
    found = sdk.search_looks(title=title.split()[0].lower() + "%", fields="id,title")
    assert found and all(f.title.startswith(title.split()[0]) for f in found)
    picked = sdk.search_users(id="2,3,5", fields="id")
    assert sorted(u.id for u in picked) == ["2", "3", "5"]


def test_scheduled_plans_are_scoped_to_the_caller_unless_all_users(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    plans = standin.items("scheduled_plans")
    owners = {p["user_id"] for p in plans}
    assert len(owners) > 1
    assert {p.id for p in sdk.all_scheduled_plans()} == {
        p["id"] for p in plans if p["user_id"] == "1"
    }
    assert len(sdk.all_scheduled_plans(all_users=True)) == len(plans)
    other = sorted(owners - {"1"})[0]
    assert {p.user_id for p in sdk.all_scheduled_plans(user_id=other)} == {other}
    assert all(p.user is not None and p.user.id == p.user_id for p in sdk.all_scheduled_plans())


def test_alerts_are_scoped_to_the_caller_unless_all_owners(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    alerts = standin.items("alerts")
    mine = {a.id for a in sdk.search_alerts()}
    assert mine == {a["id"] for a in alerts if a["owner_id"] == "1"}
    assert len(sdk.search_alerts(all_owners=True)) == len(alerts) > len(mine)


def test_unpaged_lists_are_served_whole(standin: StandIn, sdk: Looker40SDK) -> None:
    assert len(sdk.all_user_attributes()) == standin.counts()["user_attributes"]
    truth = standin.items("user_attribute_group_values")
    attribute_id = truth[0]["user_attribute_id"]
    values = sdk.all_user_attribute_group_values(attribute_id)
    assert {v.id for v in values} == {
        v["id"] for v in truth if v["user_attribute_id"] == attribute_id
    }


def test_group_users_lists_members(standin: StandIn, sdk: Looker40SDK) -> None:
    for group in standin.items("groups"):
        members = sdk.all_group_users(group["id"], fields="id", sorts="id")
        assert len(members) == group["user_count"]
        assert {u.id for u in members} == {
            u["id"] for u in standin.items("users") if group["id"] in u["group_ids"]
        }
