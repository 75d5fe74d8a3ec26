"""Create, update and delete for every type, soft delete, and 422 validation errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import StandIn


def _alert(owner_id: str, threshold: float) -> m.WriteAlert:
    return m.WriteAlert(
        comparison_type=m.ComparisonType.GREATER_THAN,
        cron="0 9 * * *",
        destinations=[
            m.AlertDestination(
                destination_type=m.DestinationType.EMAIL, email_address="a@example.com"
            )
        ],
        field=m.AlertField(title="Count", name="order_items.count"),
        owner_id=owner_id,
        threshold=threshold,
    )


# type -> (create, update, delete, key attribute, field checked after update)
Case = tuple[
    Callable[[Looker40SDK], Any],
    Callable[[Looker40SDK, str], Any],
    Callable[[Looker40SDK, str], Any],
    str,
    tuple[str, Any],
]
CASES: dict[str, Case] = {
    "dashboards": (
        lambda sdk: sdk.create_dashboard(m.WriteDashboard(title="New", folder_id="1")),
        lambda sdk, i: sdk.update_dashboard(i, m.WriteDashboard(title="Renamed")),
        lambda sdk, i: sdk.delete_dashboard(i),
        "id",
        ("title", "Renamed"),
    ),
    "looks": (
        lambda sdk: sdk.create_look(m.WriteLookWithQuery(title="New", folder_id="1", query_id="1")),
        lambda sdk, i: sdk.update_look(i, m.WriteLookWithQuery(title="Renamed")),
        lambda sdk, i: sdk.delete_look(i),
        "id",
        ("title", "Renamed"),
    ),
    "folders": (
        lambda sdk: sdk.create_folder(m.CreateFolder(name="New", parent_id="1")),
        lambda sdk, i: sdk.update_folder(i, m.UpdateFolder(name="Renamed")),
        lambda sdk, i: sdk.delete_folder(i),
        "id",
        ("name", "Renamed"),
    ),
    "boards": (
        lambda sdk: sdk.create_board(m.WriteBoard(title="New")),
        lambda sdk, i: sdk.update_board(i, m.WriteBoard(title="Renamed")),
        lambda sdk, i: sdk.delete_board(i),
        "id",
        ("title", "Renamed"),
    ),
    "users": (
        lambda sdk: sdk.create_user(m.WriteUser(first_name="New", last_name="Person")),
        lambda sdk, i: sdk.update_user(i, m.WriteUser(is_disabled=True)),
        lambda sdk, i: sdk.delete_user(i),
        "id",
        ("is_disabled", True),
    ),
    "groups": (
        lambda sdk: sdk.create_group(m.WriteGroup(name="New group")),
        lambda sdk, i: sdk.update_group(i, m.WriteGroup(name="Renamed group")),
        lambda sdk, i: sdk.delete_group(i),
        "id",
        ("name", "Renamed group"),
    ),
    "roles": (
        lambda sdk: sdk.create_role(
            m.WriteRole(name="New role", permission_set_id="1", model_set_id="1")
        ),
        lambda sdk, i: sdk.update_role(i, m.WriteRole(name="Renamed role")),
        lambda sdk, i: sdk.delete_role(i),
        "id",
        ("name", "Renamed role"),
    ),
    "permission_sets": (
        lambda sdk: sdk.create_permission_set(
            m.WritePermissionSet(name="New set", permissions=["see_looks"])
        ),
        lambda sdk, i: sdk.update_permission_set(i, m.WritePermissionSet(name="Renamed set")),
        lambda sdk, i: sdk.delete_permission_set(i),
        "id",
        ("name", "Renamed set"),
    ),
    "model_sets": (
        lambda sdk: sdk.create_model_set(m.WriteModelSet(name="New models", models=["ecommerce"])),
        lambda sdk, i: sdk.update_model_set(i, m.WriteModelSet(name="Renamed models")),
        lambda sdk, i: sdk.delete_model_set(i),
        "id",
        ("name", "Renamed models"),
    ),
    "user_attributes": (
        lambda sdk: sdk.create_user_attribute(
            m.WriteUserAttribute(name="new_attr", label="New", type="string")
        ),
        lambda sdk, i: sdk.update_user_attribute(
            i, m.WriteUserAttribute(name="new_attr", label="Renamed", type="string")
        ),
        lambda sdk, i: sdk.delete_user_attribute(i),
        "id",
        ("label", "Renamed"),
    ),
    "scheduled_plans": (
        lambda sdk: sdk.create_scheduled_plan(
            m.WriteScheduledPlan(
                name="New plan",
                dashboard_id="1",
                crontab="0 6 * * 1",
                scheduled_plan_destination=[
                    m.ScheduledPlanDestination(
                        type="email", format="wysiwyg_pdf", address="a@example.com"
                    )
                ],
            )
        ),
        lambda sdk, i: sdk.update_scheduled_plan(i, m.WriteScheduledPlan(name="Renamed plan")),
        lambda sdk, i: sdk.delete_scheduled_plan(i),
        "id",
        ("name", "Renamed plan"),
    ),
    "alerts": (
        lambda sdk: sdk.create_alert(_alert("1", 10.0)),
        lambda sdk, i: sdk.update_alert(i, _alert("1", 99.0)),
        lambda sdk, i: sdk.delete_alert(i),
        "id",
        ("threshold", 99.0),
    ),
    "lookml_models": (
        lambda sdk: sdk.create_lookml_model(
            m.WriteLookmlModel(
                name="new_model", project_name="p", allowed_db_connection_names=["pg"]
            )
        ),
        lambda sdk, i: sdk.update_lookml_model(i, m.WriteLookmlModel(project_name="renamed")),
        lambda sdk, i: sdk.delete_lookml_model(i),
        "name",
        ("project_name", "renamed"),
    ),
}


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_create_update_delete(standin: StandIn, sdk: Looker40SDK, type_name: str) -> None:
    create, update, delete, key, (field, value) = CASES[type_name]
    before = standin.counts()[type_name]
    created = create(sdk)
    object_id = getattr(created, key)
    assert standin.counts()[type_name] == before + 1
    truth = {item[key]: item for item in standin.items(type_name)}
    assert object_id in truth
    updated = update(sdk, object_id)
    assert getattr(updated, field) == value
    assert {item[key]: item for item in standin.items(type_name)}[object_id][field] == value
    delete(sdk, object_id)
    assert standin.counts()[type_name] == before
    assert standin.exchanges[-1].status == 204


def test_new_ids_are_fresh_strings(standin: StandIn, sdk: Looker40SDK) -> None:
    existing = {d["id"] for d in standin.items("dashboards")}
    created = sdk.create_dashboard(m.WriteDashboard(title="Fresh", folder_id="1"))
    assert isinstance(created.id, str) and created.id not in existing
    assert created.dashboard_layouts and created.dashboard_elements == []


@pytest.mark.parametrize("type_name", ["dashboards", "looks"])
def test_soft_delete_and_restore(standin: StandIn, sdk: Looker40SDK, type_name: str) -> None:
    update = sdk.update_dashboard if type_name == "dashboards" else sdk.update_look
    write = m.WriteDashboard if type_name == "dashboards" else m.WriteLookWithQuery
    get = sdk.dashboard if type_name == "dashboards" else sdk.look
    live = next(item for item in standin.items(type_name) if not item["deleted"])
    gone = update(live["id"], write(deleted=True))
    assert gone.deleted is True and gone.deleted_at is not None and gone.deleter_id == "1"
    assert get(live["id"]).deleted is True
    listed = {
        "dashboards": lambda d: sdk.search_dashboards(deleted=d, fields="id"),
        "looks": lambda d: sdk.search_looks(deleted=d == "true", fields="id"),
    }[type_name]
    assert live["id"] in {x.id for x in listed("true")}
    assert live["id"] not in {x.id for x in listed("false")}
    back = update(live["id"], write(deleted=False))
    assert back.deleted is False and back.deleted_at is None
    assert live["id"] in {x.id for x in listed("false")}


def test_delete_of_a_soft_deleted_dashboard_removes_it(standin: StandIn, sdk: Looker40SDK) -> None:
    gone = next(d for d in standin.items("dashboards") if d["deleted"])
    before = standin.counts()["dashboards"]
    sdk.delete_dashboard(gone["id"])
    assert standin.counts()["dashboards"] == before - 1
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.dashboard(gone["id"])


def test_validation_errors_are_422_with_details(standin: StandIn, sdk: Looker40SDK) -> None:
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.create_dashboard(m.WriteDashboard(description="no title, no folder"))
    assert raised.value.message == "Validation Failed"
    assert {(e.field, e.code) for e in raised.value.errors} == {
        ("title", "missing"),
        ("folder_id", "missing"),
    }
    assert standin.exchanges[-1].status == 422
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.create_look(m.WriteLookWithQuery(title="x", folder_id="424242", query_id="1"))
    assert [(e.field, e.code) for e in raised.value.errors] == [("folder_id", "invalid")]
    taken = standin.items("groups")[0]["name"]
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.create_group(m.WriteGroup(name=taken))
    assert [(e.field, e.code) for e in raised.value.errors] == [("name", "already_exists")]
    assert standin.counts()["groups"] == len(standin.items("groups"))


def test_update_of_a_missing_object_is_a_404(standin: StandIn, sdk: Looker40SDK) -> None:
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.update_folder("987654", m.UpdateFolder(name="x"))
    assert raised.value.message == "Not found"


def test_group_membership_changes_keep_counts_true(standin: StandIn, sdk: Looker40SDK) -> None:
    group = sdk.create_group(m.WriteGroup(name="Fresh group"))
    sdk.add_group_user(group.id, m.GroupIdForGroupUserInclusion(user_id="2"))
    sdk.add_group_user(group.id, m.GroupIdForGroupUserInclusion(user_id="3"))
    assert sdk.group(group.id).user_count == 2
    assert group.id in (sdk.user("2").group_ids or [])
    sdk.delete_group_user(group.id, "2")
    assert [u.id for u in sdk.all_group_users(group.id)] == ["3"]
    assert sdk.group(group.id).user_count == 1


def test_new_folder_updates_parent_child_count(standin: StandIn, sdk: Looker40SDK) -> None:
    before = sdk.folder("1").child_count or 0
    child = sdk.create_folder(m.CreateFolder(name="Child", parent_id="1"))
    assert sdk.folder("1").child_count == before + 1
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.update_folder("1", m.UpdateFolder(parent_id=child.id))
    sdk.delete_folder(child.id)
    assert sdk.folder("1").child_count == before


def test_group_values_can_be_replaced(standin: StandIn, sdk: Looker40SDK) -> None:
    attribute_id = standin.items("user_attribute_group_values")[0]["user_attribute_id"]
    values = sdk.set_user_attribute_group_values(
        attribute_id, [m.UserAttributeGroupValue(group_id="1", value="EMEA")]
    )
    assert [(v.group_id, v.value, v.rank) for v in values] == [("1", "EMEA", 1)]
    assert len(sdk.all_user_attribute_group_values(attribute_id)) == 1


def test_dashboard_parts_can_be_created_updated_and_deleted(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="Rebuilt", folder_id="1"))
    tile = sdk.create_dashboard_element(
        m.WriteDashboardElement(dashboard_id=dashboard.id, look_id="1", title="Tile", type="vis")
    )
    query_tile = sdk.create_dashboard_element(
        m.WriteDashboardElement(dashboard_id=dashboard.id, query_id="2", type="vis")
    )
    assert tile.look is not None and tile.look.id == "1"
    assert query_tile.query is not None and query_tile.query.id == "2"
    flt = sdk.create_dashboard_filter(
        m.WriteCreateDashboardFilter(
            dashboard_id=dashboard.id,
            name="Date",
            title="Date",
            type="field_filter",
            model="ecommerce",
            explore="order_items",
            dimension="order_items.created_date",
        )
    )
    layout = sdk.create_dashboard_layout(m.WriteDashboardLayout(dashboard_id=dashboard.id))
    full = sdk.dashboard(dashboard.id)
    assert [e.id for e in full.dashboard_elements or []] == [tile.id, query_tile.id]
    assert [f.id for f in full.dashboard_filters or []] == [flt.id]
    assert layout.id in {lay.id for lay in full.dashboard_layouts or []}
    first_layout = (full.dashboard_layouts or [])[0]
    placed = {c.dashboard_element_id for c in first_layout.dashboard_layout_components or []}
    assert placed == {tile.id, query_tile.id}
    assert (
        sdk.update_dashboard_element(tile.id, m.WriteDashboardElement(title="New")).title == "New"
    )
    assert sdk.dashboard_element(tile.id).title == "New"
    sdk.delete_dashboard_element(tile.id)
    sdk.delete_dashboard_filter(flt.id)
    full = sdk.dashboard(dashboard.id)
    assert [e.id for e in full.dashboard_elements or []] == [query_tile.id]
    assert full.dashboard_filters == []
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.create_dashboard_element(m.WriteDashboardElement(dashboard_id="424242"))
    assert [(e.field, e.code) for e in raised.value.errors] == [("dashboard_id", "invalid")]


def test_board_sections_can_be_added(standin: StandIn, sdk: Looker40SDK) -> None:
    board = sdk.create_board(m.WriteBoard(title="Home"))
    section = sdk.create_board_section(m.WriteBoardSection(board_id=board.id, title="Top"))
    assert [s.id for s in sdk.board(board.id).board_sections or []] == [section.id]
    sdk.delete_board_section(section.id)
    assert sdk.board(board.id).board_sections == []
