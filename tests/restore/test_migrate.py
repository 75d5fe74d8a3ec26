"""Restore into another instance: everything arrives once, references follow the id map, a
re-run writes nothing, schedules stay quiet unless asked, and a killed run completes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from looker_sdk import models40 as m

from lookervault.local.standin import Profile, StandIn
from lookervault.looker.compare import Difference, compare, describe
from lookervault.restore.plan import quieted
from tests.restore.conftest import (
    EVERY_PROFILE,
    Items,
    Restore,
    differences,
    extract_items,
    promised,
    read_items,
    restore_env,
    restored_users,
    writes,
)
from tests.support.looker_fixtures import sdk_for


def only_backed_up(differences: list[Difference]) -> list[Difference]:
    """What B lacks or holds differently; B's own items (its API user, ...) are extras."""
    return [d for d in differences if d.kind != "extra"]


@EVERY_PROFILE
def test_everything_into_an_empty_instance_then_nothing_more(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    before = read_items(backup)
    done = restore(looker_b, "--db", str(backup), "--yes", "--json")

    assert done.code == 0, done.err
    report = done.json()
    assert report["same_instance"] is False and report["failures"] == []
    assert any("email login only" in note for note in report["notes"])
    restored = extract_items(looker_b, tmp_path / "b.db")
    users = restored_users(report, before, restored)
    assert only_backed_up(differences(quieted(before), restored, profile, users=users)) == []
    assert looker_b.deliveries == []
    assert_read_back_as_promised(looker_b, report, profile, before)

    looker_b.clear_exchanges()
    again = restore(looker_b, "--db", str(backup), "--yes", "--json")

    assert again.code == 0, again.err
    assert writes(looker_b) == []
    assert len(extract_items(looker_b, tmp_path / "b2.db")["dashboards"]) == len(
        restored["dashboards"]
    )


def test_enable_schedules_keeps_them_as_backed_up(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    done = restore(
        looker_b,
        *("scheduled_plans", "alerts", "--db", str(backup), "--yes", "--enable-schedules"),
        "--json",
    )
    assert done.code == 0, done.err
    restored = extract_items(looker_b, tmp_path / "b.db")
    backed_up = read_items(backup)
    for kind in ("scheduled_plans", "alerts"):
        users = restored_users(done.json(), backed_up, restored)
        found = differences(backed_up, restored, profile, [kind], users)
        assert only_backed_up(found) == []
    assert looker_b.deliveries == []


def assert_no_duplicates(items: Items, profile: Profile) -> None:
    """No two items of a type answer to the same name (a duplicate would). Users without an
    email login (Looker core) answer to their names, which two people may share."""
    for type_name, named in describe(items).items():
        if type_name != "users" or profile != "core":
            assert len(named) == len(items[type_name]), type_name


def assert_read_back_as_promised(
    standin: StandIn, report: dict[str, Any], profile: Profile, backed_up: Items
) -> None:
    """What the target holds after a restore into another instance, read back over HTTP:
    schedules and alerts off, alerts their owners', favourites their users' (in core: none,
    and a note says why)."""
    made = {(i["type"], i["id"]): i["target_id"] for i in report["items"]}
    held = {kind: {x["id"]: x for x in standin.items(kind)} for kind in TOLD}
    created = [i for i in report["items"] if i["result"] == "created" and i["type"] in TOLD]
    for item in created:
        kind, now = item["type"], held[item["type"]][item["target_id"]]
        owner = TOLD[kind]
        assert now[owner] == made[("users", backed_up[kind][item["id"]][owner])], item
        if kind == "scheduled_plans":
            assert now["enabled"] is False
        if kind == "alerts":
            assert now["is_disabled"] is True
    favoured = {i["result"] for i in report["items"] if i["type"] == "content_favorites"}
    if profile == "core":  # only the API user's own can be made: it needs no login_user
        assert "skipped" in favoured and any("login_user" in n for n in report["notes"])
        caller = standin.app.api_user_id
        mine = [i for i in created if i["type"] == "content_favorites"]
        assert all(held["content_favorites"][i["target_id"]]["user_id"] == caller for i in mine)
    else:
        assert favoured == {"created"}
    assert {i["type"] for i in created} >= {"scheduled_plans", "alerts"}


TOLD = {"scheduled_plans": "user_id", "alerts": "owner_id", "content_favorites": "user_id"}
"""Types whose owner or user a restore must set right whatever Looker does with a create."""


@EVERY_PROFILE
def test_a_restore_killed_half_way_completes_when_run_again_without_duplicates(
    backup: Path, looker_b: StandIn, tmp_path: Path, profile: Profile
) -> None:
    before_restore = extract_items(looker_b, tmp_path / "b0.db")
    looker_b.faults.latency_s = 0.01
    command = [sys.executable, "-m", "lookervault", "restore", "--db", str(backup), "--yes"]
    child = subprocess.Popen(command, env=restore_env(looker_b), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(writes(looker_b)) < 40 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.poll() is None, "the restore finished before it could be interrupted"
    child.send_signal(signal.SIGKILL)
    child.wait()
    halfway = extract_items(looker_b, tmp_path / "half.db")
    assert compare(read_items(backup), halfway), "the kill came too late to test anything"

    looker_b.faults.latency_s = 0
    again = subprocess.run(
        [*command, "--json"], env=restore_env(looker_b), capture_output=True, text=True
    )

    assert again.returncode == 0, again.stderr
    restored = extract_items(looker_b, tmp_path / "b.db")
    backed_up = read_items(backup)
    users = restored_users(json.loads(again.stdout), backed_up, restored)
    assert only_backed_up(differences(quieted(backed_up), restored, profile, users=users)) == []
    assert_no_duplicates(restored, profile)
    expected = describe(promised(quieted(backed_up), profile))
    own = describe(promised(before_restore, profile, users))
    for type_name, named in describe(promised(restored, profile, users)).items():
        assert set(named) == set(expected.get(type_name, {})) | set(own.get(type_name, {}))


@EVERY_PROFILE
def test_alerts_of_dashboards_the_other_instance_already_holds_land_on_their_tiles(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    assert restore(looker_b, "dashboards", "--db", str(backup), "--yes").code == 0
    # A restore state of its own: B got those dashboards some other way (another machine,
    # another tool), so no id map knows their tiles.
    elsewhere = {"LOOKERVAULT_STATE_DIR": str(tmp_path / "elsewhere")}

    done = restore(looker_b, "--db", str(backup), "--yes", "--json", env=elsewhere)

    assert done.code == 0, done.err
    report = done.json()
    assert report["failures"] == [], report["failures"]
    assert set(report["counts"]["dashboards"]) <= {"unchanged", "skipped"}
    assert report["counts"]["alerts"] == {"created": len(read_items(backup)["alerts"])}
    restored = extract_items(looker_b, tmp_path / "b.db")
    users = restored_users(report, read_items(backup), restored)
    found = differences(quieted(read_items(backup)), restored, profile, users=users)
    assert only_backed_up(found) == []
    assert_no_duplicates(restored, profile)

    looker_b.clear_exchanges()
    again = restore(looker_b, "--db", str(backup), "--yes", env=elsewhere)

    assert again.code == 0, again.err
    assert writes(looker_b) == []


@pytest.mark.parametrize(
    ("route", "refusal"),
    [("--no-lookml-import", ("POST", 409)), ("--lookml-import", ("PATCH", 422))],
)
def test_a_slug_another_dashboard_holds_gives_the_restored_dashboard_a_new_one(
    backup: Path, looker_b: StandIn, restore: Restore, route: str, refusal: tuple[str, int]
) -> None:
    """Part by part, the create is refused (409) and made again without the slug; from
    LookML, the dashboard is imported without its preferred slug (an import would overwrite
    the holder) and setting the slug is refused (422)."""
    sdk = sdk_for(looker_b)
    shared = sdk.search_folders(is_shared_root=True)[0].id
    live = [d for d in read_items(backup)["dashboards"].values() if not d["deleted"]]
    holders = {}
    for n, dashboard in enumerate(live[:2]):
        made = sdk.create_dashboard(
            m.WriteDashboard(title=f"Holder {n}", folder_id=shared, slug=dashboard["slug"])
        )
        holders[dashboard["id"]] = made.id
    sdk.update_dashboard(holders[live[1]["id"]], m.WriteDashboard(deleted=True))
    taken = {d["id"]: d["slug"] for d in live[:2]}

    planned = restore(looker_b, "--db", str(backup), "--dry-run")
    assert "2 dashboard(s)" in planned.out and "will get a new slug" in planned.out
    looker_b.clear_exchanges()
    done = restore(looker_b, "--db", str(backup), "--yes", "--json", route)

    assert done.code == 0, done.err
    report = done.json()
    renamed = {s["id"]: s for s in report["new_slugs"]}
    assert set(renamed) == set(taken)
    refused = [
        e
        for e in looker_b.exchanges
        if (e.method, e.status) == refusal and "/dashboard_elements/" not in e.path
    ]  # strict also refuses a look on an imported tile: not a slug
    assert len(refused) == 2
    now = {d["id"]: d for d in looker_b.items("dashboards")}
    for source_id, slug in taken.items():
        new = renamed[source_id]
        assert new["backed_up_slug"] == slug and new["slug"] not in (None, slug)
        assert now[new["target_id"]]["slug"] == new["slug"]
        assert (
            now[new["target_id"]]["title"] == read_items(backup)["dashboards"][source_id]["title"]
        )
    assert {now[h]["slug"] for h in holders.values()} == set(taken.values())
