"""Choosing what to restore: a folder subtree, single items, types; their dependencies come
along and the plan says why."""

from __future__ import annotations

from pathlib import Path

from looker_sdk import models40 as m

from lookervault.local.standin import Profile, StandIn
from lookervault.looker.compare import compare
from tests.restore.conftest import EVERY_PROFILE, Items, Restore, extract_items, read_items, writes
from tests.support.looker_fixtures import sdk_for


def _subtree(items: Items, root: str) -> set[str]:
    found = {root}
    while more := {i for i, f in items["folders"].items() if f["parent_id"] in found} - found:
        found |= more
    return found


def _folder_with_subfolders(items: Items) -> str:
    roots = [
        i
        for i, f in items["folders"].items()
        if f["parent_id"] and not f["is_personal"] and len(_subtree(items, i)) > 1
    ]
    assert roots, "the seed has no folder with subfolders"
    return sorted(roots, key=int)[0]


@EVERY_PROFILE
def test_a_folder_subtree_brings_its_content_and_only_what_it_needs(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    before = read_items(backup)
    root = _folder_with_subfolders(before)
    subtree = _subtree(before, root)

    done = restore(
        looker_b, "--db", str(backup), "--folder", root, "--recursive", "--yes", "--json"
    )

    assert done.code == 0, done.err
    items = done.json()["items"]
    in_subtree = {i for i, d in before["dashboards"].items() if str(d["folder_id"]) in subtree}
    plans, alerts = _schedules_and_alerts(before, in_subtree, subtree)
    assert plans and alerts, "the seed's subtree holds no schedule or no alert"
    for item in items:
        chosen = (
            (item["type"] == "folders" and item["id"] in subtree)
            or (
                item["type"] in ("looks", "dashboards")
                and str(before[item["type"]][item["id"]]["folder_id"]) in subtree
            )
            or (item["type"], item["id"]) in plans | alerts
        )
        assert chosen or item["needed_by"] or item["result"] in ("unchanged", "skipped"), item
    restored = extract_items(looker_b, tmp_path / "b.db")
    assert len(restored.get("dashboards", {})) == len(in_subtree)
    assert len(restored.get("scheduled_plans", {})) == len(plans)
    assert len(restored.get("alerts", {})) == len(alerts)
    tile_looks = {
        str(e["look_id"])
        for i in in_subtree
        for e in before["dashboards"][i]["dashboard_elements"]
        if e.get("look_id")
    }
    wanted_looks = {i for i, lk in before["looks"].items() if str(lk["folder_id"]) in subtree}
    assert len(restored.get("looks", {})) == len(wanted_looks | tile_looks)
    assert "boards" not in {i["type"] for i in items}


def _schedules_and_alerts(
    items: Items, dashboards: set[str], folders: set[str]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The schedules on the looks and dashboards of `folders`, and the alerts on tiles of
    `dashboards`."""
    looks = {i for i, lk in items["looks"].items() if str(lk["folder_id"]) in folders}
    plans = {
        ("scheduled_plans", i)
        for i, p in items["scheduled_plans"].items()
        if str(p.get("dashboard_id")) in dashboards or str(p.get("look_id")) in looks
    }
    tiles = {str(e["id"]) for i in dashboards for e in items["dashboards"][i]["dashboard_elements"]}
    alerts = {
        ("alerts", i) for i, a in items["alerts"].items() if a["dashboard_element_id"] in tiles
    }
    return plans, alerts


@EVERY_PROFILE
def test_one_dashboard_by_id_with_a_missing_folder(
    looker_a: StandIn, backup: Path, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    before = read_items(backup)
    sdk = sdk_for(looker_a)
    dashboard = next(
        d
        for d in before["dashboards"].values()
        if not d["deleted"]
        and d["folder_id"] not in {str(u["personal_folder_id"]) for u in before["users"].values()}
        and before["folders"][d["folder_id"]]["parent_id"]
    )
    gone = _subtree(before, dashboard["folder_id"])
    sdk.delete_folder(dashboard["folder_id"])
    other = next(
        d for d in before["dashboards"].values() if d["folder_id"] not in gone and not d["deleted"]
    )
    sdk.update_dashboard(other["id"], m.WriteDashboard(title="Changed and left alone"))
    looker_a.clear_exchanges()

    done = restore(
        looker_a, "--db", str(backup), "--id", f"dashboards:{dashboard['id']}", "--yes", "--json"
    )

    assert done.code == 0, done.err
    steps = {(i["type"], i["id"]): i for i in done.json()["items"]}
    assert steps[("dashboards", dashboard["id"])]["result"] == "created"
    folder = steps[("folders", dashboard["folder_id"])]
    assert folder["result"] == "created" and folder["needed_by"] == f"dashboards:{dashboard['id']}"
    assert ("dashboards", other["id"]) not in steps
    assert writes(looker_a)
    after = extract_items(looker_a, tmp_path / "after.db")
    assert [d for d in compare(before, after, ["dashboards"]) if dashboard["title"] in d.name] == []
    assert after["dashboards"][other["id"]]["title"] == "Changed and left alone"
