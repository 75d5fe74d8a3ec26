"""Undo in the same instance: what was broken after the backup comes back as it was, and
every item that still existed keeps its id."""

from __future__ import annotations

from pathlib import Path

from looker_sdk import models40 as m

from lookervault.local.standin import Profile, StandIn
from lookervault.looker.compare import compare
from lookervault.looker.content_types import BY_NAME
from tests.restore.conftest import (
    EVERY_PROFILE,
    Items,
    Restore,
    differences,
    extract_items,
    read_items,
    writes,
)
from tests.support.looker_fixtures import sdk_for


def _live(items: Items, type_name: str, owner_folder: set[str] | None = None) -> list[str]:
    found = [
        item_id
        for item_id, item in items[type_name].items()
        if not item.get("deleted") and (owner_folder is None or item["folder_id"] in owner_folder)
    ]
    return sorted(found, key=int)


def _shared_folder_with_content(items: Items) -> str:
    """A non-system, non-personal folder that holds a dashboard and a look, and no subfolder
    whose content the test breaks otherwise."""
    personal = {str(u["personal_folder_id"]) for u in items["users"].values()}
    for folder_id, folder in sorted(items["folders"].items(), key=lambda kv: int(kv[0])):
        if folder["parent_id"] is None or folder_id in personal or folder.get("is_personal"):
            continue
        dashboards = _live(items, "dashboards", {folder_id})
        looks = _live(items, "looks", {folder_id})
        if dashboards and looks:
            return folder_id
    raise AssertionError("the seed has no folder with both a dashboard and a look")


def break_instance(standin: StandIn, backup: Items) -> None:
    """Break A the ways an admin loses content."""
    sdk = sdk_for(standin)
    folder = _shared_folder_with_content(backup)
    in_folder = {
        t: set(_live(backup, t, {folder}))
        | {i for i, x in backup[t].items() if x["folder_id"] == folder}
        for t in ("dashboards", "looks")
    }
    dashboards = [d for d in _live(backup, "dashboards") if d not in in_folder["dashboards"]]
    looks = [lk for lk in _live(backup, "looks") if lk not in in_folder["looks"]]
    trashed_dashboard, deleted_dashboard, edited = dashboards[0], dashboards[1], dashboards[2]
    trashed_look, deleted_look = looks[0], looks[1]

    sdk.update_dashboard(trashed_dashboard, m.WriteDashboard(deleted=True))
    sdk.update_look(trashed_look, m.WriteLookWithQuery(deleted=True))
    sdk.delete_dashboard(deleted_dashboard)
    sdk.delete_look(deleted_look)
    sdk.delete_folder(folder)

    dashboard = backup["dashboards"][edited]
    elements = dashboard["dashboard_elements"]
    sdk.delete_dashboard_element(elements[0]["id"])
    layout = next(x for x in dashboard["dashboard_layouts"] if x["active"])
    moved = next(
        c
        for c in layout["dashboard_layout_components"]
        if c["dashboard_element_id"] != elements[0]["id"]
    )
    sdk.update_dashboard_layout_component(
        moved["id"], m.WriteDashboardLayoutComponent(row=moved["row"] + 30, column=0)
    )
    with_filters = next(
        d
        for d in _live(backup, "dashboards")
        if backup["dashboards"][d]["dashboard_filters"] and d not in in_folder["dashboards"]
    )
    first_filter = backup["dashboards"][with_filters]["dashboard_filters"][0]
    sdk.update_dashboard_filter(first_filter["id"], m.WriteDashboardFilter(default_value="changed"))

    group = next(
        g for g in backup["groups"].values() if g["member_user_ids"] and not g["include_by_default"]
    )
    sdk.update_group(group["id"], m.WriteGroup(name="Renamed after the backup"))
    sdk.delete_group_user(group["id"], group["member_user_ids"][0])
    plan = next(iter(backup["scheduled_plans"]))
    sdk.delete_scheduled_plan(plan)


@EVERY_PROFILE
def test_undo_brings_the_instance_back_and_keeps_the_ids_that_survived(
    looker_a: StandIn, backup: Path, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    before = read_items(backup)
    break_instance(looker_a, before)
    broken = extract_items(looker_a, tmp_path / "broken.db")
    assert compare(before, broken), "nothing broke"

    done = restore(looker_a, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    after = extract_items(looker_a, tmp_path / "after.db")
    assert differences(before, after, profile) == []
    for type_name, items in broken.items():
        for item_id in set(items) & set(before.get(type_name, {})):
            assert item_id in after[type_name], (type_name, item_id)
            title = BY_NAME[type_name].title_fields[0]
            assert after[type_name][item_id].get(title) == before[type_name][item_id].get(title)
    report = done.json()
    assert report["same_instance"] is True
    vanished = set(before["dashboards"]) - set(broken["dashboards"])
    assert report["counts"]["dashboards"].get("created") == len(vanished)
    assert report["counts"]["dashboards"].get("undeleted") == 1


@EVERY_PROFILE
def test_a_second_undo_writes_nothing(
    looker_a: StandIn, backup: Path, restore: Restore, profile: Profile
) -> None:
    break_instance(looker_a, read_items(backup))
    assert restore(looker_a, "--db", str(backup), "--yes").code == 0
    looker_a.clear_exchanges()

    again = restore(looker_a, "--db", str(backup), "--yes", "--json")

    assert again.code == 0, again.err
    assert writes(looker_a) == []
    assert all(set(c) <= {"unchanged", "skip"} for c in again.json()["counts"].values())


def test_restore_right_after_the_backup_plans_nothing(
    looker_a: StandIn, backup: Path, restore: Restore
) -> None:
    looker_a.clear_exchanges()
    done = restore(looker_a, "--db", str(backup), "--yes", "--json")
    assert done.code == 0, done.err
    assert writes(looker_a) == []
    plan = done.json()
    assert {s["action"] for s in plan["steps"]} <= {"unchanged", "skip"}
    assert len(plan["steps"]) > 100


def test_dry_run_writes_nothing_and_its_plan_is_what_the_run_does(
    looker_a: StandIn, backup: Path, restore: Restore
) -> None:
    break_instance(looker_a, read_items(backup))
    looker_a.clear_exchanges()

    dry = restore(looker_a, "--db", str(backup), "--dry-run", "--json")

    assert dry.code == 0, dry.err
    assert writes(looker_a) == []
    planned = {(s["type"], s["id"]): s["action"] for s in dry.json()["steps"]}
    assert {"create", "update", "undelete"} <= set(planned.values())

    real = restore(looker_a, "--db", str(backup), "--yes", "--json")

    assert real.code == 0, real.err
    done = {(i["type"], i["id"]): i["result"] for i in real.json()["items"]}
    result_of = {"create": "created", "update": "updated", "undelete": "undeleted"}
    result_of |= {"unchanged": "unchanged", "skip": "skipped"}
    assert done == {key: result_of[action] for key, action in planned.items()}
