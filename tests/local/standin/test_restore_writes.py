"""Every write a restore makes, through looker_sdk, with Looker's effects and refusals."""

from __future__ import annotations

import looker_sdk
import pytest
from looker_sdk import models40 as m
from looker_sdk.sdk.api40.methods import Looker40SDK

from lookervault.local.standin import Delivery, Faults, SeedSize, StandIn
from tests.support.looker_fixtures import StandInFactory, raw_call, sdk_for


def _codes(call: object) -> list[tuple[str, str]]:
    assert callable(call)
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        call()
    return [(e.field, e.code) for e in raised.value.errors]


def _email_destination() -> m.ScheduledPlanDestination:
    return m.ScheduledPlanDestination(type="email", format="csv", address="team@example.com")


# ---- folders -----------------------------------------------------------------------------


def test_folders_are_found_by_their_system_flags(standin: StandIn, sdk: Looker40SDK) -> None:
    shared = sdk.search_folders(is_shared_root=True)
    users = sdk.search_folders(is_users_root=True)
    assert [f.name for f in shared] == ["Shared"] and [f.name for f in users] == ["Users"]
    made = sdk.create_folder(m.CreateFolder(name="Finance", parent_id=shared[0].id))
    assert [f.id for f in sdk.search_folders(name="Finance", parent_id=shared[0].id)] == [made.id]
    child = sdk.create_folder(m.CreateFolder(name="Child", parent_id=made.id))
    moved = sdk.update_folder(child.id, m.UpdateFolder(name="Moved", parent_id=shared[0].id))
    assert (moved.name, moved.parent_id) == ("Moved", shared[0].id)


def test_deleting_a_folder_deletes_its_subtree_and_content(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    top = sdk.create_folder(m.CreateFolder(name="Doomed", parent_id="1"))
    sub = sdk.create_folder(m.CreateFolder(name="Doomed child", parent_id=top.id))
    look = sdk.create_look(m.WriteLookWithQuery(title="L", folder_id=sub.id, query_id="1"))
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="D", folder_id=top.id))
    trashed = sdk.create_dashboard(m.WriteDashboard(title="T", folder_id=sub.id))
    sdk.update_dashboard(trashed.id, m.WriteDashboard(deleted=True))
    plan = sdk.create_scheduled_plan(
        m.WriteScheduledPlan(
            name="Doomed plan",
            dashboard_id=dashboard.id,
            crontab="0 6 * * *",
            scheduled_plan_destination=[_email_destination()],
        )
    )
    sdk.delete_folder(top.id)
    ids = {f["id"] for f in standin.items("folders")}
    assert top.id not in ids and sub.id not in ids
    assert look.id not in {x["id"] for x in standin.items("looks")}
    gone = {dashboard.id, trashed.id}
    assert gone.isdisjoint(d["id"] for d in standin.items("dashboards"))
    assert plan.id not in {p["id"] for p in standin.items("scheduled_plans")}


# ---- users -------------------------------------------------------------------------------


def test_a_user_gets_email_credentials_roles_and_a_personal_folder(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    user = sdk.create_user(m.WriteUser(first_name="Rita", last_name="Restored"))
    assert user.email is None and user.personal_folder_id
    assert sdk.folder(user.personal_folder_id).is_personal
    credentials = sdk.create_user_credentials_email(
        user.id, m.WriteCredentialsEmail(email="rita@example.com")
    )
    assert credentials.email == "rita@example.com"
    assert sdk.user(user.id).email == "rita@example.com"
    assert [u.id for u in sdk.search_users(email="rita@example.com")] == [user.id]
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.create_user_credentials_email(user.id, m.WriteCredentialsEmail(email="x@example.com"))
    assert standin.exchanges[-1].status == 409
    taken = standin.items("users")[1]["email"]
    other = sdk.create_user(m.WriteUser(first_name="Other"))
    assert _codes(
        lambda: sdk.create_user_credentials_email(other.id, m.WriteCredentialsEmail(email=taken))
    ) == [("email", "already_exists")]
    roles = sdk.set_user_roles(user.id, ["2", "1"])
    assert [r.id for r in roles] == ["1", "2"]
    assert [r.id for r in sdk.user_roles(user.id)] == ["1", "2"]
    assert [r.id for r in sdk.set_user_roles(user.id, ["2"])] == ["2"]
    assert _codes(lambda: sdk.set_user_roles(user.id, ["424242"])) == [("role_ids", "invalid")]
    assert sdk.user(user.id).role_ids == ["2"]


def test_a_user_created_with_an_email_login_has_it_at_once(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    body = m.WriteUser(first_name="Una", credentials_email=m.WriteCredentialsEmail(email="u@x.io"))
    user = sdk.create_user(body)
    assert user.email == "u@x.io" and user.credentials_email.email == "u@x.io"
    count = len(standin.items("users"))
    taken = m.WriteUser(first_name="Dup", credentials_email=m.WriteCredentialsEmail(email="U@x.io"))
    assert _codes(lambda: sdk.create_user(taken)) == [("email", "already_exists")]
    assert len(standin.items("users")) == count


def test_a_new_user_joins_the_groups_new_users_join(standin: StandIn, sdk: Looker40SDK) -> None:
    default = next(g for g in sdk.all_groups() if g.include_by_default)
    other = next(g for g in sdk.all_groups() if not g.include_by_default)
    members = default.user_count
    user = sdk.create_user(m.WriteUser(first_name="New", last_name="Hire"))
    assert user.group_ids == [default.id]
    assert sdk.group(default.id).user_count == members + 1
    assert user.id not in [u.id for u in sdk.all_group_users(other.id)]


def test_only_the_sent_password_reset_is_a_delivery(standin: StandIn, sdk: Looker40SDK) -> None:
    token = sdk.create_user_credentials_email_password_reset("2")
    assert token.password_reset_url
    assert standin.deliveries == []
    sdk.send_user_credentials_email_password_reset("2")
    email = standin.items("users")[1]["email"]
    assert standin.deliveries == [Delivery("password_reset_email", "2", {"email": email})]


# ---- groups, user attributes, sets -------------------------------------------------------


def test_user_attribute_names_and_labels_are_unique_and_system_ones_fixed(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    custom = next(a for a in standin.items("user_attributes") if not a["is_system"])
    assert _codes(
        lambda: sdk.create_user_attribute(
            m.WriteUserAttribute(name="fresh_name", label=custom["label"], type="string")
        )
    ) == [("label", "already_exists")]
    system = next(a for a in standin.items("user_attributes") if a["is_system"])
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.update_user_attribute(
            system["id"], m.WriteUserAttribute(name=system["name"], label="New", type="string")
        )
    assert raised.value.message == "System user attributes cannot be changed or deleted."
    group = sdk.create_group(m.WriteGroup(name="Restored group"))
    values = sdk.set_user_attribute_group_values(
        custom["id"], [m.UserAttributeGroupValue(group_id=group.id, value="EMEA")]
    )
    assert [(v.group_id, v.value) for v in values] == [(group.id, "EMEA")]


def test_built_in_sets_cannot_be_changed(standin: StandIn, sdk: Looker40SDK) -> None:
    with pytest.raises(looker_sdk.error.SDKError) as raised:
        sdk.update_permission_set("1", m.WritePermissionSet(name="Renamed Admin"))
    assert raised.value.message == "Resource Can't Be Modified"
    assert standin.exchanges[-1].status == 405
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.delete_model_set("1")
    assert standin.exchanges[-1].status == 405
    assert standin.items("model_sets")[0]["name"] == "All"
    role = sdk.create_role(m.WriteRole(name="Restored", permission_set_id="2", model_set_id="1"))
    assert sdk.update_role(role.id, m.WriteRole(permission_set_id="1")).permission_set_id == "1"


def test_set_role_groups_replaces_the_roles_groups(standin: StandIn, sdk: Looker40SDK) -> None:
    seeded = standin.items("role_groups")[0]
    role_id = seeded["role_id"]
    assert [g.id for g in sdk.role_groups(role_id)] == seeded["group_ids"]
    assert [g.id for g in sdk.set_role_groups(role_id, ["3", "1"])] == ["1", "3"]
    sdk.role_groups(role_id, fields="name")
    names = [{"name": g["name"]} for g in standin.items("groups") if g["id"] in ("1", "3")]
    assert standin.exchanges[-1].json() == names
    assert _codes(lambda: sdk.set_role_groups(role_id, ["2", "424242"])) == [
        ("group_ids", "invalid")
    ]
    assert "424242" in standin.exchanges[-1].json()["errors"][0]["message"]
    assert [g.id for g in sdk.role_groups(role_id)] == ["1", "3"]
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.set_role_groups("424242", ["1"])
    assert standin.exchanges[-1].status == 404
    sdk.delete_group("3")
    assert [g.id for g in sdk.role_groups(role_id)] == ["1"]
    assert sdk.set_role_groups(role_id, []) == []
    sdk.delete_role(role_id)
    assert role_id not in {r["role_id"] for r in standin.items("role_groups")}


# ---- dashboards --------------------------------------------------------------------------


def test_a_dashboard_is_rebuilt_part_by_part(standin: StandIn, sdk: Looker40SDK) -> None:
    dashboard = sdk.create_dashboard(m.WriteDashboard(title="Rebuilt", folder_id="1"))
    layout = dashboard.dashboard_layouts[0]
    assert layout.active
    flt = sdk.create_dashboard_filter(
        m.WriteCreateDashboardFilter(
            dashboard_id=dashboard.id,
            name="Region",
            title="Region",
            type="field_filter",
            model="ecommerce",
            explore="orders",
            dimension="orders.region",
        )
    )
    assert _codes(
        lambda: sdk.create_dashboard_filter(
            m.WriteCreateDashboardFilter(
                dashboard_id=dashboard.id, name="Other", title="Region", type="string_filter"
            )
        )
    ) == [("title", "already_exists")]
    changed = sdk.update_dashboard_filter(flt.id, m.WriteDashboardFilter(default_value="EMEA"))
    assert changed.default_value == "EMEA"
    updated = sdk.update_dashboard_layout(layout.id, m.WriteDashboardLayout(column_width=12))
    assert updated.column_width == 12
    query = sdk.create_query(m.WriteQuery(model="ecommerce", view="orders", fields=["orders.n"]))
    tile = sdk.create_dashboard_element(
        m.WriteDashboardElement(dashboard_id=dashboard.id, type="vis", query_id=query.id)
    )
    assert tile.result_maker is not None and tile.result_maker.query_id == query.id
    assert tile.result_maker.filterables[0].model == "ecommerce"
    mobile = sdk.create_dashboard_layout(
        m.WriteDashboardLayout(dashboard_id=dashboard.id, type="static")
    )
    assert not mobile.active
    placed = sdk.dashboard_layout_dashboard_layout_components(mobile.id)
    assert [c.dashboard_element_id for c in placed] == [tile.id]
    assert len(sdk.dashboard_dashboard_layouts(dashboard.id)) == 2
    moved = sdk.update_dashboard(
        dashboard.id, m.WriteDashboard(folder_id=standin.items("folders")[2]["id"], user_id="2")
    )
    assert (moved.user_id, moved.folder_id) == ("2", standin.items("folders")[2]["id"])
    sdk.delete_dashboard_filter(flt.id)
    sdk.delete_dashboard_element(tile.id)
    assert sdk.dashboard_layout_dashboard_layout_components(layout.id) == []
    with pytest.raises(looker_sdk.error.SDKError):
        sdk.delete_dashboard_layout(layout.id)
    assert standin.exchanges[-1].status == 422


def test_seeded_tiles_listen_to_their_dashboards_filters(standin: StandIn) -> None:
    listening = 0
    for dashboard in standin.items("dashboards"):
        names = {f["name"] for f in dashboard["dashboard_filters"]}
        titles = [f["title"] for f in dashboard["dashboard_filters"]]
        assert len(titles) == len(set(titles))
        for element in dashboard["dashboard_elements"]:
            if element["type"] == "text":
                assert element["result_maker"] is None
                continue
            maker = element["result_maker"]
            assert maker["id"] and maker["vis_config"] is not None
            assert bool(maker["query_id"]) != bool(maker["merge_result_id"])
            for filterable in maker["filterables"]:
                assert {x["dashboard_filter_name"] for x in filterable["listen"]} <= names
                listening += bool(filterable["listen"])
    assert listening > 5


# ---- looks -------------------------------------------------------------------------------


def test_looks_are_trashed_and_brought_back(standin: StandIn, sdk: Looker40SDK) -> None:
    look = sdk.create_look(m.WriteLookWithQuery(title="Trash me", folder_id="1", query_id="1"))
    sdk.update_look(look.id, m.WriteLookWithQuery(deleted=True))
    assert look.id in {x.id for x in sdk.search_looks(deleted=True, fields="id")}
    assert look.id not in {x.id for x in sdk.search_looks(fields="id")}
    back = sdk.update_look(look.id, m.WriteLookWithQuery(deleted=False, query_id="2"))
    assert back.deleted is False and back.query_id == "2"


# ---- boards ------------------------------------------------------------------------------


def test_a_board_is_rebuilt_with_sections_items_and_order(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    board = sdk.create_board(m.WriteBoard(title="Start here", description="Home"))
    first = sdk.create_board_section(m.WriteBoardSection(board_id=board.id, title="First"))
    second = sdk.create_board_section(m.WriteBoardSection(board_id=board.id, title="Second"))
    assert sdk.board(board.id).section_order == [first.id, second.id]
    a = sdk.create_board_item(m.WriteBoardItem(board_section_id=first.id, dashboard_id="1"))
    b = sdk.create_board_item(m.WriteBoardItem(board_section_id=first.id, look_id="1"))
    assert a.title == standin.items("dashboards")[0]["title"] and a.url == "/dashboards/1"
    assert _codes(
        lambda: sdk.create_board_item(
            m.WriteBoardItem(board_section_id=first.id, dashboard_id="424242")
        )
    ) == [("dashboard_id", "invalid")]
    sdk.update_board_section(first.id, m.WriteBoardSection(item_order=[b.id, a.id]))
    sdk.update_board(board.id, m.WriteBoard(section_order=[second.id, first.id]))
    assert _codes(lambda: sdk.update_board(board.id, m.WriteBoard(section_order=["424242"]))) == [
        ("section_order", "invalid")
    ]
    full = sdk.board(board.id)
    assert full.section_order == [second.id, first.id]
    section = next(s for s in full.board_sections or [] if s.id == first.id)
    assert section.item_order == [b.id, a.id]
    assert {i.id for i in section.board_items or []} == {a.id, b.id}
    assert sdk.update_board_item(a.id, m.WriteBoardItem(custom_title="Custom")).custom_title
    sdk.delete_board_item(b.id)
    assert sdk.board_section(first.id).item_order == [a.id]
    sdk.delete_board_section(second.id)
    assert sdk.board(board.id).section_order == [first.id]


# ---- scheduled plans ---------------------------------------------------------------------


def test_scheduled_plans_need_target_schedule_and_destination(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    assert set(_codes(lambda: sdk.create_scheduled_plan(m.WriteScheduledPlan(name="Nothing")))) == {
        ("look_id", "missing"),
        ("crontab", "missing"),
        ("scheduled_plan_destination", "missing"),
    }
    assert _codes(
        lambda: sdk.create_scheduled_plan(
            m.WriteScheduledPlan(
                name="Look plan",
                look_id="1",
                crontab="0 6 * * *",
                require_results=False,
                scheduled_plan_destination=[_email_destination()],
            )
        )
    ) == [("require_no_results", "missing"), ("require_change", "missing")]
    plan = sdk.create_scheduled_plan(
        m.WriteScheduledPlan(
            name="Look plan",
            look_id="1",
            datagroup="nightly",
            require_results=False,
            require_no_results=False,
            require_change=False,
            enabled=False,
            scheduled_plan_destination=[_email_destination(), _email_destination()],
        )
    )
    assert plan.enabled is False and len(plan.scheduled_plan_destination or []) == 2
    assert _codes(
        lambda: sdk.update_scheduled_plan(
            plan.id, m.WriteScheduledPlan(scheduled_plan_destination=[])
        )
    ) == [("scheduled_plan_destination", "missing")]
    kept = sdk.update_scheduled_plan(plan.id, m.WriteScheduledPlan(enabled=True))
    assert kept.enabled and len(kept.scheduled_plan_destination or []) == 2
    replaced = sdk.update_scheduled_plan(
        plan.id,
        m.WriteScheduledPlan(
            scheduled_plan_destination=[
                m.ScheduledPlanDestination(type="email", format="csv", address="new@example.com")
            ]
        ),
    )
    assert [d.address for d in replaced.scheduled_plan_destination or []] == ["new@example.com"]
    assert standin.deliveries == []


def test_every_way_to_deliver_now_is_recorded(standin: StandIn, sdk: Looker40SDK) -> None:
    plan_id = standin.items("scheduled_plans")[0]["id"]
    sdk.scheduled_plan_run_once_by_id(plan_id)
    body = m.WriteScheduledPlan(
        name="Ad hoc",
        dashboard_id="1",
        crontab="0 6 * * *",
        scheduled_plan_destination=[_email_destination()],
    )
    sdk.scheduled_plan_run_once(body)
    body.run_once = True
    created = sdk.create_scheduled_plan(body)
    sdk.update_scheduled_plan(created.id, m.WriteScheduledPlan(run_once=True))
    assert [(d.kind, d.target) for d in standin.deliveries] == [
        ("scheduled_plan_run_once_by_id", plan_id),
        ("scheduled_plan_run_once", "Ad hoc"),
        ("scheduled_plan_created", created.id),
        ("scheduled_plan_updated", created.id),
    ]
    assert len(standin.items("scheduled_plans")) == 13


# ---- alerts ------------------------------------------------------------------------------


def _alert(element_id: str | None, threshold: float = 1.0) -> m.WriteAlert:
    return m.WriteAlert(
        comparison_type=m.ComparisonType.GREATER_THAN,
        cron="0 9 * * *",
        destinations=[
            m.AlertDestination(
                destination_type=m.DestinationType.EMAIL, email_address="a@example.com"
            )
        ],
        field=m.AlertField(title="Count", name="order_items.count"),
        owner_id="1",
        threshold=threshold,
        dashboard_element_id=element_id,
    )


def test_alerts_need_a_real_tile_and_patch_changes_only_its_fields(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(check_spec=False)
    sdk = sdk_for(standin)
    assert _codes(lambda: sdk.create_alert(_alert("424242"))) == [
        ("dashboard_element_id", "invalid")
    ]
    element_id = standin.items("dashboards")[0]["dashboard_elements"][0]["id"]
    alert = sdk.create_alert(_alert(element_id))
    patched = sdk.update_alert_field(alert.id, m.AlertPatch(threshold=42.0, is_disabled=True))
    assert (patched.threshold, patched.is_disabled) == (42.0, True)
    answer = raw_call(
        standin, "PATCH", f"/alerts/{alert.id}", {"cron": "0 1 * * *", "is_public": True}
    )
    assert answer.status_code == 200 and answer.json()["cron"] == "0 9 * * *"
    assert answer.json()["is_public"] is True
    replaced = sdk.update_alert(alert.id, _alert(element_id, threshold=7.0))
    assert replaced.threshold == 7.0 and replaced.is_disabled is False


def test_a_required_alert_field_patched_to_null_is_refused(
    standin: StandIn, sdk: Looker40SDK
) -> None:
    alert = standin.items("alerts")[0]
    for name in ("threshold", "owner_id"):
        answer = raw_call(standin, "PATCH", f"/alerts/{alert['id']}", {name: None})
        assert answer.status_code == 422
        assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(name, "missing")]
    answer = raw_call(
        standin, "PATCH", f"/alerts/{alert['id']}", {"is_public": None, "disabled_reason": None}
    )
    assert answer.status_code == 200
    assert standin.items("alerts")[0] == alert


# ---- faults on writes and the empty instance ----------------------------------------------


def test_writes_can_fail_n_times_while_the_server_runs(standin: StandIn, sdk: Looker40SDK) -> None:
    standin.faults.fail_requests("POST", "/looks", times=2, status=503)
    body = m.WriteLookWithQuery(title="Flaky", folder_id="1", query_id="1")
    for _ in range(2):
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.create_look(body)
        assert (standin.exchanges[-1].status, standin.exchanges[-1].fault) == (503, "fail_request")
    assert sdk.create_look(body).title == "Flaky"
    standin.faults.fail_requests("PATCH", "/dashboard_layout_components/*", times=None, status=500)
    for _ in range(3):
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.update_dashboard_layout_component("1", m.WriteDashboardLayoutComponent(row=1))
    assert sdk.dashboard_layout_component("1").id == "1"
    standin.faults.clear()
    assert (
        sdk.update_dashboard_layout_component("1", m.WriteDashboardLayoutComponent(row=1)).row == 1
    )


def test_the_empty_instance_holds_what_a_new_looker_holds(
    standin_factory: StandInFactory,
) -> None:
    standin = standin_factory(seed=SeedSize.empty(), faults=Faults())
    counts = standin.counts()
    assert {k for k, v in counts.items() if v} == {
        "folders",
        "users",
        "groups",
        "roles",
        "permission_sets",
        "model_sets",
        "user_attributes",
    }
    folders = standin.items("folders")
    assert [
        (f["name"], f["is_shared_root"], f["is_users_root"], f["is_personal"]) for f in folders
    ] == [
        ("Shared", True, False, False),
        ("Users", False, True, False),
        ("API Admin", False, False, True),
    ]
    assert [u["display_name"] for u in standin.items("users")] == ["API Admin"]
    assert [g["name"] for g in standin.items("groups")] == ["All Users"]
    assert [r["name"] for r in standin.items("roles")] == ["Admin"]
    assert [(p["name"], p["built_in"]) for p in standin.items("permission_sets")] == [
        ("Admin", True)
    ]
    assert [(s["name"], s["built_in"]) for s in standin.items("model_sets")] == [("All", True)]
    assert all(a["is_system"] for a in standin.items("user_attributes"))
    assert [
        (a["content_metadata_id"], a["group_id"], a["permission_type"])
        for a in standin.items("content_metadata_access")
    ] == [(folders[0]["content_metadata_id"], "1", "edit")]
    sdk = sdk_for(standin)
    assert sdk.search_dashboards(fields="id") == []
