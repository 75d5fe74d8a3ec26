"""`export` and `import` against real extractions of the stand-in: byte-identical exports,
an exact round trip, and edits in the tree that restore turns into exactly those changes."""

from __future__ import annotations

import json
import shutil
from contextlib import closing
from pathlib import Path

import pytest

from lookervault.content import yamltext
from lookervault.content.export import without_activity
from lookervault.local.standin import StandIn
from lookervault.looker import store
from lookervault.looker.compare import ACTIVITY, compare
from tests.content.conftest import Run, rows, update_item
from tests.restore.conftest import Restore, extract_items, read_items, writes


def tree_bytes(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _file_of(directory: Path, type_name: str, item_id: str) -> Path:
    (found,) = directory.rglob(f"{type_name}/*--{item_id}.yaml")
    return found


def test_the_same_backup_exports_to_the_same_bytes(backup: Path, run: Run, tmp_path: Path) -> None:
    first = run("export", "--db", str(backup), "--out", str(tmp_path / "one"), "--json")
    second = run("export", "--db", str(backup), "--out", str(tmp_path / "two"))
    again = run("export", "--db", str(backup), "--out", str(tmp_path / "one"), "--json")

    assert first.code == 0 and second.code == 0 and again.code == 0, first.err + second.err
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert one == two
    items = read_items(backup)
    assert len(one) == 1 + sum(len(by_id) for by_id in items.values())
    assert again.json()["written"] == 0 and again.json()["removed"] == 0
    assert again.json()["unchanged"] == len(one)
    assert "Exported" in second.out and str(tmp_path / "two") in second.out


def test_unchanged_content_exports_identically_however_much_it_was_used(
    looker_a: StandIn, backup: Path, run: Run, tmp_path: Path
) -> None:
    """A second extraction, with views, favourites and logins moved on since the first."""
    later = tmp_path / "later.db"
    extract_items(looker_a, later)
    used = {"view_count": 9999, "favorite_count": 77, "last_viewed_at": "2030-01-01T00:00:00Z"}
    for dashboard_id in read_items(later)["dashboards"]:
        update_item(later, "dashboards", dashboard_id, lambda item: item.update(used))

    def login(item: dict[str, object]) -> None:
        credentials = item["credentials_email"]
        assert isinstance(credentials, dict)
        credentials["logged_in_at"] = "2030-01-01T00:00:00Z"

    update_item(later, "users", "1", login)
    assert rows(later) != rows(backup)

    run("export", "--db", str(backup), "--out", str(tmp_path / "first"))
    run("export", "--db", str(later), "--out", str(tmp_path / "second"))

    first, second = tree_bytes(tmp_path / "first"), tree_bytes(tmp_path / "second")
    assert first == second
    text = b"".join(first.values())
    for name in ACTIVITY:
        assert f"{name}:".encode() not in text, name


def test_show_and_export_carry_each_dashboards_lookml(
    backup: Path, run: Run, tmp_path: Path
) -> None:
    """The portable form Looker imports, readable without LookerVault."""
    dashboards = read_items(backup)["dashboards"]
    dashboard_id, dashboard = next(iter(dashboards.items()))
    assert dashboard["lookml"].startswith("---")

    shown = run("content", "show", "dashboards", dashboard_id, "--db", str(backup))
    exported = run("export", "--db", str(backup), "--out", str(tmp_path / "tree"))

    assert shown.code == 0 and exported.code == 0, shown.err + exported.err
    assert json.loads(shown.out)["lookml"] == dashboard["lookml"]
    in_tree = yamltext.load(_file_of(tmp_path / "tree", "dashboards", dashboard_id).read_text())
    assert in_tree["lookml"] == dashboard["lookml"]


def test_export_then_import_gives_the_same_content(
    backup: Path, looker_a: StandIn, run: Run, restore: Restore, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    imported = tmp_path / "imported.db"
    assert run("export", "--db", str(backup), "--out", str(tree)).code == 0

    done = run("import", str(tree), "--db", str(imported), "--json")

    assert done.code == 0, done.err
    assert done.json()["moved"] == 0
    original, copy = rows(backup), rows(imported)
    assert copy.keys() == original.keys()
    for key, row in original.items():
        expected = without_activity(json.loads(row["data"]))
        assert json.loads(copy[key]["data"]) == expected, key
        assert copy[key]["data"] == json.dumps(
            expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ), key
        columns = ("title", "folder_id", "owner_id", "updated_at", "deleted", "missing_since")
        assert {c: copy[key][c] for c in columns} == {c: row[c] for c in columns}, key
    with closing(store.open_read_only(backup)) as a, closing(store.open_read_only(imported)) as b:
        run_a, run_b = store.last_complete_run(a), store.last_complete_run(b)
    assert run_a is not None and run_b is not None
    assert (run_b.looker_host, run_b.looker_version) == (run_a.looker_host, run_a.looker_version)
    assert run("verify", "--db", str(imported)).code == 0

    planned = restore(looker_a, "--db", str(imported), "--dry-run", "--json")

    assert planned.code == 0, planned.err
    assert planned.json()["same_instance"] is True
    changes = [s for s in planned.json()["steps"] if s["action"] not in ("unchanged", "skip")]
    assert changes == [], "fields the export leaves out look like changes to restore"


def test_an_edited_title_restores_as_exactly_that_title(
    backup: Path, looker_a: StandIn, run: Run, restore: Restore, tmp_path: Path
) -> None:
    before = read_items(backup)
    dashboard_id = next(i for i, d in before["dashboards"].items() if not d["deleted"])
    old = before["dashboards"][dashboard_id]["title"]
    tree, edited = tmp_path / "tree", tmp_path / "edited.db"
    run("export", "--db", str(backup), "--out", str(tree))
    path = _file_of(tree, "dashboards", dashboard_id)
    text = path.read_text(encoding="utf-8")
    assert text.count(f"\ntitle: {old}\n") == 1
    path.write_text(text.replace(f"\ntitle: {old}\n", "\ntitle: Renamed in git\n"), "utf-8")
    assert run("import", str(tree), "--db", str(edited)).code == 0
    looker_a.clear_exchanges()

    done = restore(looker_a, "--db", str(edited), "--yes", "--json")

    assert done.code == 0, done.err
    assert writes(looker_a) == [f"PATCH /dashboards/{dashboard_id}"]
    (patch,) = [e for e in looker_a.exchanges if e.method == "PATCH"]
    assert json.loads(patch.request_body) == {"title": "Renamed in git"}
    after = extract_items(looker_a, tmp_path / "after.db")
    assert after["dashboards"][dashboard_id]["title"] == "Renamed in git"
    differences = {(d.type, d.kind) for d in compare(before, after)}
    assert differences == {("dashboards", "missing"), ("dashboards", "extra")}
    assert next(d.name for d in compare(before, after) if d.kind == "missing").endswith(old)


def test_a_file_moved_to_another_folder_moves_the_item(
    backup: Path, looker_a: StandIn, run: Run, restore: Restore, tmp_path: Path
) -> None:
    before = read_items(backup)
    dashboard_id = next(i for i, d in before["dashboards"].items() if not d["deleted"])
    here = before["dashboards"][dashboard_id]["folder_id"]
    there = next(
        i
        for i, f in before["folders"].items()
        if f["parent_id"] and i != here and not f.get("is_personal")
    )
    tree, moved_db = tmp_path / "tree", tmp_path / "moved.db"
    run("export", "--db", str(backup), "--out", str(tree))
    source = _file_of(tree, "dashboards", dashboard_id)
    (folder_dir,) = [
        p.parent for p in tree.rglob("_folder.yaml") if p.parent.name.endswith(f"--{there}")
    ]
    (folder_dir / "dashboards").mkdir(exist_ok=True)
    shutil.move(source, folder_dir / "dashboards" / source.name)

    done = run("import", str(tree), "--db", str(moved_db), "--json")

    assert done.code == 0, done.err
    assert done.json()["moved"] == 1
    assert rows(moved_db)[("dashboards", dashboard_id)]["folder_id"] == there
    planned = restore(looker_a, "--db", str(moved_db), "--dry-run", "--json")
    changes = [
        s for s in planned.json()["steps"] if s["action"] != "unchanged" and s["action"] != "skip"
    ]
    assert [(s["type"], s["id"], s["action"], s["changes"]) for s in changes] == [
        ("dashboards", dashboard_id, "update", ["folder_id"])
    ]


def test_export_into_an_earlier_export_removes_only_what_is_gone(
    backup: Path, run: Run, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    run("export", "--db", str(backup), "--out", str(tree))
    (tree / ".git").mkdir()
    (tree / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tree / "README.md").write_text("Our Looker content.\n")
    changed = tmp_path / "changed.db"
    shutil.copy(backup, changed)
    items = read_items(backup)
    look_id = next(iter(items["looks"]))
    old_file = _file_of(tree, "looks", look_id)
    update_item(changed, "looks", look_id, lambda item: item.update(title="A brand new name"))

    done = run("export", "--db", str(changed), "--out", str(tree), "--json")

    assert done.code == 0, done.err
    assert (done.json()["written"], done.json()["removed"]) == (1, 1)
    assert not old_file.exists()
    assert _file_of(tree, "looks", look_id).name == f"a-brand-new-name--{look_id}.yaml"
    assert (tree / "README.md").read_text() == "Our Looker content.\n"
    assert (tree / ".git" / "HEAD").is_file()


def test_export_refuses_a_directory_of_other_files(backup: Path, run: Run, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine\n")

    done = run("export", "--db", str(backup), "--out", str(other))

    assert done.code == 2 and "notes.txt" in done.err
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


@pytest.fixture
def tree(backup: Path, run: Run, tmp_path: Path) -> Path:
    path = tmp_path / "tree"
    assert run("export", "--db", str(backup), "--out", str(path)).code == 0
    return path


def test_import_refuses_what_an_export_does_not_hold_and_writes_nothing(
    tree: Path, run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "new.db"
    dashboard = next(tree.rglob("dashboards/*.yaml"))
    shutil.copy(dashboard, dashboard.with_name("copy-of-it--0.yaml"))
    (tree / "stray.yaml").write_text("id: 1\n")
    (tree / "users" / "broken--1.yaml").write_text("id: [unclosed\n")
    (tree / "groups" / "a-list--1.yaml").write_text("- 1\n- 2\n")

    done = run("import", str(tree), "--db", str(target))

    assert done.code == 2
    assert "stray.yaml" in done.err and "broken--1.yaml" in done.err
    assert "a-list--1.yaml" in done.err and "also in" in done.err
    assert not target.exists() and not list(tmp_path.glob(".new.db*"))


def test_import_never_replaces_a_database_unless_asked(
    tree: Path, backup: Path, run: Run, tmp_path: Path
) -> None:
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"precious")

    refused = run("import", str(tree), "--db", str(existing))
    assert refused.code == 2 and "--overwrite" in refused.err
    assert existing.read_bytes() == b"precious"
    not_an_export = run("import", str(tmp_path), "--db", str(tmp_path / "x.db"))
    replaced = run("import", str(tree), "--db", str(existing), "--overwrite")

    assert not_an_export.code == 2 and "lookervault.yaml" in not_an_export.err
    assert replaced.code == 0, replaced.err
    assert rows(existing).keys() == rows(backup).keys()
