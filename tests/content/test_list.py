"""`content list` and `content show` against a real extraction of the stand-in, from a
database and straight from a snapshot in the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import google.cloud.storage as storage
import yaml

from lookervault.cli import main
from tests.content.conftest import Run
from tests.restore.conftest import Items, read_items


def _ids(result_json: dict[str, object], type_name: str | None = None) -> set[str]:
    items = result_json["items"]
    assert isinstance(items, list)
    return {i["id"] for i in items if type_name is None or i["type"] == type_name}


def _subtree(items: Items, root: str) -> set[str]:
    found = {root}
    while more := {i for i, f in items["folders"].items() if f["parent_id"] in found} - found:
        found |= more
    return found


def test_search_finds_items_by_part_of_their_title_whatever_the_case(
    backup: Path, run: Run
) -> None:
    items = read_items(backup)
    title = items["dashboards"]["1"]["title"]
    part = title.split()[-1][:2].upper()  # e.g. "42" of "Executive Revenue 428"
    expected = {
        i for i, d in items["dashboards"].items() if part.casefold() in d["title"].casefold()
    }

    listed = run("content", "list", "dashboards", "--db", str(backup), "--search", part, "--json")

    assert listed.code == 0, listed.err
    assert _ids(listed.json()) == expected and "1" in expected
    assert {i["type"] for i in listed.json()["items"]} == {"dashboards"}


def test_folder_owner_and_deleted_filters(backup: Path, run: Run) -> None:
    items = read_items(backup)
    root = next(
        i
        for i, f in sorted(items["folders"].items(), key=lambda kv: int(kv[0]))
        if f["parent_id"] and len(_subtree(items, i)) > 2
    )
    subtree = _subtree(items, root)
    db = ("--db", str(backup))

    only_root = run("content", "list", "looks", "dashboards", *db, "--folder", root, "--json")
    below = run("content", "list", *db, "--folder", root, "--recursive", "--json")

    def held_in(folders: set[str]) -> set[tuple[str, str]]:
        return {
            (t, i)
            for t in ("looks", "dashboards", "folders")
            for i, x in items[t].items()
            if str(x.get("folder_id") if t != "folders" else x.get("parent_id")) in folders
        }

    assert {(i["type"], i["id"]) for i in only_root.json()["items"]} == {
        k for k in held_in({root}) if k[0] != "folders"
    }
    assert {(i["type"], i["id"]) for i in below.json()["items"]} == held_in(subtree)

    owner = items["dashboards"]["1"]["user_id"]
    owned = run("content", "list", "looks", "dashboards", *db, "--owner", owner, "--json")
    assert _ids(owned.json()) == {
        i for t in ("looks", "dashboards") for i, x in items[t].items() if x["user_id"] == owner
    }
    assert {i["owner"] for i in owned.json()["items"]} == {items["users"][owner]["display_name"]}

    trashed = run("content", "list", "dashboards", *db, "--deleted", "--json")
    live = run("content", "list", "dashboards", *db, "--no-deleted", "--json")
    deleted_ids = {i for i, d in items["dashboards"].items() if d["deleted"]}
    assert deleted_ids and _ids(trashed.json()) == deleted_ids
    assert _ids(live.json()) == set(items["dashboards"]) - deleted_ids


def test_a_row_names_the_folder_by_its_path_and_the_owner_by_name(backup: Path, run: Run) -> None:
    items = read_items(backup)
    folders = items["folders"]
    dashboard_id, dashboard = next(
        (i, d)
        for i, d in items["dashboards"].items()
        if folders[d["folder_id"]]["parent_id"] and folders[folders[d["folder_id"]]["parent_id"]]
    )
    folder = folders[dashboard["folder_id"]]
    parent = folders[folder["parent_id"]]

    listed = run("content", "list", "dashboards", "--db", str(backup), "--json")
    text = run("content", "list", "dashboards", "--db", str(backup))

    (row,) = [i for i in listed.json()["items"] if i["id"] == dashboard_id]
    assert row["folder"].endswith(f"{parent['name']} / {folder['name']}")
    assert row["owner"] == items["users"][dashboard["user_id"]]["display_name"]
    assert row["title"] == dashboard["title"] and row["deleted"] == dashboard["deleted"]
    assert listed.json()["total_count"] == len(items["dashboards"])
    line = next(x for x in text.out.splitlines() if f" {dashboard['title']} " in x)
    assert row["folder"] in line and row["owner"] in line


def test_show_prints_the_stored_object_as_json_or_yaml(backup: Path, run: Run) -> None:
    stored = read_items(backup)["dashboards"]["2"]

    as_json = run("content", "show", "dashboards", "2", "--db", str(backup))
    as_yaml = run("content", "show", "dashboards", "2", "--db", str(backup), "--yaml")
    missing = run("content", "show", "dashboards", "99999", "--db", str(backup))

    assert as_json.code == 0 and json.loads(as_json.out) == stored
    assert as_yaml.code == 0 and yaml.safe_load(as_yaml.out) == stored
    assert missing.code == 3 and "99999" in missing.err and "content list" in missing.err


def test_bad_use_is_exit_2_with_a_hint(backup: Path, run: Run, tmp_path: Path) -> None:
    both = run("content", "list", "--db", str(backup), "--from-snapshot", "1")
    neither = run("content", "list")
    unknown_folder = run("content", "list", "--db", str(backup), "--folder", "99999")
    lonely = run("content", "list", "--db", str(backup), "--recursive")
    (tmp_path / "notes.txt").write_text("not a database\n")
    not_a_db = run("content", "list", "--db", str(tmp_path / "notes.txt"))

    for result in (both, neither, unknown_folder, lonely, not_a_db):
        assert result.code == 2, result
        assert "Traceback" not in result.err and result.err.count("\n") >= 2
    assert "not an SQLite database" in not_a_db.err


def test_a_snapshot_is_searched_without_a_local_database_and_downloaded_once(
    backup: Path, bucket: storage.Bucket, run: Run, tmp_path: Path
) -> None:
    items = read_items(backup)
    assert main(["snapshot", "upload", "--source", str(backup)]) == 0
    backup.unlink()
    wanted_id, wanted = next((i, d) for i, d in items["dashboards"].items() if not d["deleted"])
    part = " ".join(wanted["title"].split()[1:])  # "Revenue 428" of "Executive Revenue 428"

    found = run(
        "content", "list", "dashboards", "--from-snapshot", "latest", "--search", part, "--json"
    )

    assert found.code == 0, found.err
    assert wanted_id in _ids(found.json())
    cache = tmp_path / "state" / "lookervault" / "snapshots"
    (copy,) = cache.iterdir()
    inode = copy.stat().st_ino

    checked = run("verify", "--from-snapshot", "1", "--json")
    shown = run("content", "show", "dashboards", wanted_id, "--from-snapshot", "latest")

    assert checked.code == 0, checked.out + checked.err
    assert checked.json()["ok"] is True
    assert json.loads(shown.out) == wanted
    assert list(cache.iterdir()) == [copy], "a second copy, or -wal/-shm files beside it"
    assert copy.stat().st_ino == inode, "the cached copy was downloaded again"
    assert not list(tmp_path.glob("*.db")), "a database was left outside the cache"
