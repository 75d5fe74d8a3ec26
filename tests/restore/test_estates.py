"""Estates as they are: a backup of an instance that holds references Looker itself left
dangling (a tile on a deleted look, content of a user who left, a schedule of a deleted
dashboard) restores into another instance with every item carried over or left out as the
plan says, before anything is written, and nothing failing for good."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from looker_sdk import models40 as m

from lookervault.cli import main
from lookervault.local.standin import Profile, SeedSize, StandIn
from tests.restore.conftest import EVERY_PROFILE, SMALL, Restore, extract_items, read_items, writes
from tests.support.cli import Result
from tests.support.looker_fixtures import StandInFactory, sdk_for


@pytest.fixture
def aged(standin_factory: StandInFactory) -> StandIn:
    """An instance that has lived a while: things were deleted under other things."""
    return standin_factory(seed=SMALL, seed_value=0, dangling=True)


@pytest.fixture
def aged_backup(aged: StandIn, tmp_path: Path) -> Path:
    path = tmp_path / "aged.db"
    extract_items(aged, path)
    return path


def _adjusted(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["type"], s["id"]): s for s in report["adjusted"]}


def test_the_dry_run_names_every_item_it_will_adjust_or_leave_out(
    aged: StandIn, aged_backup: Path, looker_b: StandIn, restore: Restore
) -> None:
    gone = aged.dangling()
    dashboards = read_items(aged_backup)["dashboards"]

    planned = restore(looker_b, "--db", str(aged_backup), "--dry-run", "--json")
    shown = restore(looker_b, "--db", str(aged_backup), "--dry-run")

    assert planned.code == 0, planned.err
    assert writes(looker_b) == []
    adjusted = _adjusted(planned.json())
    for kind, words in (("tiles_with_query", "query tile"), ("tiles_without_query", "left out")):
        for tile in gone[kind]:
            holder = next(i for i, d in dashboards.items() if _has_tile(d, tile))
            texts = adjusted[("dashboards", holder)]["adjustments"]
            assert any(words in text for text in texts), texts
    for dashboard in gone["orphaned_dashboards"]:
        texts = adjusted[("dashboards", dashboard)]["adjustments"]
        assert any("fallback owner" in text for text in texts)
    for plan in gone["plans_on_gone_dashboards"]:
        step = adjusted[("scheduled_plans", plan)]
        assert step["action"] == "skip" and "in neither the backup nor Looker" in step["reason"]
    assert "fallback owner" in shown.out and "query tile" in shown.out
    assert all(s["action"] != "create" or s["type"] != "scheduled_plans" for s in adjusted.values())


def _has_tile(dashboard: dict[str, Any], tile: str) -> bool:
    return any(str(e["id"]) == tile for e in dashboard["dashboard_elements"])


@EVERY_PROFILE
def test_every_dashboard_comes_back_once_and_a_rerun_writes_nothing(
    aged: StandIn,
    aged_backup: Path,
    looker_b: StandIn,
    restore: Restore,
    tmp_path: Path,
    profile: Profile,
) -> None:
    gone = aged.dangling()
    backed_up = read_items(aged_backup)

    done = restore(looker_b, "--db", str(aged_backup), "--yes", "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert report["failures"] == []
    made = {i["id"]: i["target_id"] for i in report["items"] if i["type"] == "dashboards"}
    assert set(made) == set(backed_up["dashboards"])
    restored = extract_items(looker_b, tmp_path / "b.db")
    titles = [(d["folder_id"], d["title"]) for d in restored["dashboards"].values()]
    assert len(titles) == len(set(titles)) == len(backed_up["dashboards"])
    api_user = looker_b.app.api_user_id
    for dashboard in gone["orphaned_dashboards"]:
        assert restored["dashboards"][made[dashboard]]["user_id"] == api_user
    tiles = [e for d in restored["dashboards"].values() for e in d["dashboard_elements"]]
    backed_up_tiles = sum(len(d["dashboard_elements"]) for d in backed_up["dashboards"].values())
    assert len(tiles) == backed_up_tiles - len(gone["tiles_without_query"])
    looks = set(restored["looks"])
    assert all(e["look_id"] in looks for e in tiles if e.get("look_id"))
    plans = {p["name"] for p in restored["scheduled_plans"].values()}
    for plan in gone["plans_on_gone_dashboards"]:
        assert backed_up["scheduled_plans"][plan]["name"] not in plans

    looker_b.clear_exchanges()
    again = restore(looker_b, "--db", str(aged_backup), "--yes", "--json")

    assert again.code == 0, again.err
    assert writes(looker_b) == []
    retried = restore(looker_b, "--db", str(aged_backup), "--yes", "--retry-failed")
    assert retried.code == 2 and "No failed items" in retried.err


def test_a_fallback_owner_named_by_email_gets_what_a_departed_user_owned(
    aged: StandIn,
    aged_backup: Path,
    standin_factory: StandInFactory,
    restore: Restore,
) -> None:
    target = standin_factory(seed=SeedSize.empty(), seed_value=1)
    keeper = sdk_for(target).create_user(m.WriteUser(first_name="Kay", last_name="Keeper"))
    assert keeper.id is not None
    email = m.WriteCredentialsEmail(email="keeper@example.com")
    sdk_for(target).create_user_credentials_email(keeper.id, email)
    target.clear_exchanges()

    unknown = restore(
        target, "--db", str(aged_backup), "--yes", "--fallback-owner", "nobody@example.com"
    )
    assert unknown.code == 2 and "nobody@example.com" in unknown.err
    assert writes(target) == []

    done = restore(
        target, "dashboards", "--db", str(aged_backup), "--yes", "--json",
        "--fallback-owner", "keeper@example.com",
    )  # fmt: skip

    assert done.code == 0, done.err
    targets = {i["id"]: i["target_id"] for i in done.json()["items"]}
    owners = {d["id"]: d["user_id"] for d in target.items("dashboards")}
    for dashboard in aged.dangling()["orphaned_dashboards"]:
        assert owners[targets[dashboard]] == keeper.id


def test_verify_calls_such_a_backup_whole_and_names_what_looker_held_dangling(
    aged: StandIn,
    aged_backup: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    code = main(["verify", "--db", str(aged_backup), "--json"])
    checked = Result(code, *capsys.readouterr())

    assert checked.code == 0, checked.err
    report = checked.json()
    assert report["ok"] is True and report["dangling_references"] == []
    held = {(d["type"], d["id"], d["target_id"]) for d in report["held_dangling_by_looker"]}
    gone = aged.dangling()
    for plan in gone["plans_on_gone_dashboards"]:
        assert any(kind == "scheduled_plans" and item == plan for kind, item, _ in held)
    assert {target for *_, target in held} >= set(gone["gone_looks"]) | set(gone["departed_users"])
