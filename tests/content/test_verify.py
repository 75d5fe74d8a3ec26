"""`verify` passes on a fresh extraction and fails, naming what is wrong, on a dangling
reference, a killed extraction, a count that does not match; other files are exit 2."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from lookervault.local.standin import StandIn
from tests.content.conftest import Run, update_item
from tests.looker.test_cli import LOOKERVAULT, committed_pages
from tests.restore.conftest import read_items
from tests.support.looker_fixtures import sdk_env


def _checks(result_json: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in result_json["checks"]}


def test_a_fresh_extraction_passes_every_check(backup: Path, run: Run) -> None:
    checked = run("verify", "--db", str(backup), "--json")
    shown = run("verify", "--db", str(backup))

    assert checked.code == 0, checked.out + checked.err
    report = checked.json()
    assert report["ok"] is True and report["dangling_references"] == []
    assert set(_checks(report)) == {"sqlite", "schema", "last run", "counts", "references"}
    assert all(c["ok"] for c in report["checks"])
    counts = read_items(backup)
    assert report["counts"] == {
        t: {"recorded": len(items), "found": len(items)} for t, items in counts.items()
    }
    assert shown.code == 0 and "FAILED" not in shown.out and "references" in shown.out


def _tile_look(item: dict[str, Any]) -> None:
    tile = next(e for e in item["dashboard_elements"] if e.get("look_id"))
    tile["look_id"] = "990001"


def _group_member(item: dict[str, Any]) -> None:
    item["member_user_ids"] = [*item["member_user_ids"], "990001"]


@pytest.mark.parametrize(
    ("type_name", "field", "target", "change"),
    [
        ("dashboards", "dashboard_elements[].look_id", "looks", _tile_look),
        ("groups", "member_user_ids[]", "users", _group_member),
    ],
)
def test_a_dangling_reference_fails_naming_the_item_and_what_it_points_at(
    backup: Path,
    run: Run,
    tmp_path: Path,
    type_name: str,
    field: str,
    target: str,
    change: Any,
) -> None:
    items = read_items(backup)[type_name]
    if type_name == "dashboards":
        item_id = next(
            i for i, d in items.items() if any(e["look_id"] for e in d["dashboard_elements"])
        )
    else:
        item_id = sorted(items, key=int)[-1]
    title = items[item_id].get("title") or items[item_id]["name"]
    broken = tmp_path / "broken.db"
    shutil.copy(backup, broken)
    update_item(broken, type_name, item_id, change)

    checked = run("verify", "--db", str(broken), "--json")
    shown = run("verify", "--db", str(broken))

    assert checked.code == 1
    report = checked.json()
    assert report["ok"] is False
    assert report["dangling_references"] == [
        {
            "type": type_name,
            "id": item_id,
            "title": title,
            "field": field,
            "target_type": target,
            "target_id": "990001",
        }
    ]
    failed = [name for name, c in _checks(report).items() if not c["ok"]]
    assert failed == ["references"]
    assert shown.code == 1
    assert f"{type_name} {item_id} {title!r}: {field} -> {target} 990001" in shown.out
    assert "failed 1 check" in shown.err


def test_a_killed_extraction_fails_saying_the_run_never_finished(
    looker_a: StandIn, run: Run, tmp_path: Path
) -> None:
    db = tmp_path / "killed.db"
    looker_a.faults.latency_s = 0.02
    command = [LOOKERVAULT, "extract", "--db", str(db), "--page-size", "3", "--workers", "2"]
    process = subprocess.Popen(
        command,
        env={**os.environ, **sdk_env(looker_a)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while committed_pages(db) < 4 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the extraction ended before it was killed"

    checked = run("verify", "--db", str(db), "--json")
    shown = run("verify", "--db", str(db))

    assert checked.code == 1
    checks = _checks(checked.json())
    assert not checks["last run"]["ok"]
    assert (
        "run 1" in checks["last run"]["detail"] and "never finished" in checks["last run"]["detail"]
    )
    assert not checks["counts"]["ok"] and "no completed run" in checks["counts"]["detail"]
    assert checks["sqlite"]["ok"] and checks["schema"]["ok"]
    assert shown.code == 1 and "--resume" in shown.out + shown.err


def test_a_count_that_differs_from_the_run_fails_naming_the_type(
    backup: Path, run: Run, tmp_path: Path
) -> None:
    short = tmp_path / "short.db"
    shutil.copy(backup, short)
    boards = read_items(backup)["boards"]
    recorded = len(boards)
    conn = sqlite3.connect(short)
    conn.execute("delete from content where type = 'boards' and id = ?", (sorted(boards)[0],))
    conn.commit()
    conn.close()

    checked = run("verify", "--db", str(short), "--json")

    assert checked.code == 1
    checks = _checks(checked.json())
    assert not checks["counts"]["ok"]
    assert f"boards: {recorded - 1} items, run 1 recorded {recorded}" in checks["counts"]["detail"]
    assert checked.json()["counts"]["boards"] == {"recorded": recorded, "found": recorded - 1}


def test_a_damaged_database_fails_the_sqlite_check(backup: Path, run: Run, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    conn = sqlite3.connect(backup)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    shutil.copy(backup, damaged)
    conn = sqlite3.connect(damaged)
    conn.execute("pragma writable_schema = on")
    conn.execute("update sqlite_master set rootpage = 2 where name = 'content_owner'")
    conn.commit()
    conn.close()

    checked = run("verify", "--db", str(damaged), "--json")

    assert checked.code == 1, checked.err
    assert not _checks(checked.json())["sqlite"]["ok"]


def test_a_file_that_is_not_a_lookervault_database_is_exit_2(run: Run, tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello\n" * 100)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table things (id integer)")
    conn.close()

    for path in (text, other, tmp_path / "absent.db"):
        checked = run("verify", "--db", str(path))
        assert checked.code == 2, (path, checked)
        assert "Traceback" not in checked.err and "lookervault" in checked.err
