"""The SQLite store on real files: queryable rows, no-op re-writes, soft marking, resume data."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lookervault.errors import UsageError
from lookervault.looker import store
from lookervault.looker.content_types import BY_NAME
from lookervault.looker.extract import to_row

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def dashboard(item_id: str, title: str, deleted: bool = False) -> dict[str, object]:
    return {
        "id": item_id,
        "title": title,
        "folder_id": "7",
        "user_id": "3",
        "updated_at": "2026-01-01T00:00:00+00:00",
        "deleted": deleted,
        "dashboard_elements": [{"id": "1", "look_id": "9"}],
    }


def rows(*items: dict[str, object]) -> list[store.Row]:
    return [to_row(BY_NAME["dashboards"], item) for item in items]


def new_run(conn: sqlite3.Connection) -> int:
    return store.start_run(
        conn, types=["dashboards"], page_size=10, workers=1, looker_host="h", started_at=T0
    )


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = store.connect(tmp_path / "looker.db")
    connection.executescript(
        "create table updates (id text);"
        "create trigger log_update after update on content begin"
        " insert into updates values (new.id); end;"
    )
    return connection


def updates(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("select id from updates")]


def test_rows_are_queryable_with_json_extract(conn: sqlite3.Connection) -> None:
    run = new_run(conn)
    store.write_page(conn, run, ("dashboards", 0, 0), rows(dashboard("12", "Sales")), listed=1)
    row = conn.execute(
        "select id, title, folder_id, owner_id, deleted,"
        " json_extract(data, '$.dashboard_elements[0].look_id')"
        " from content where type = 'dashboards'"
    ).fetchone()
    assert row == ("12", "Sales", "7", "3", 0, "9")
    assert conn.execute("pragma user_version").fetchone()[0] == store.SCHEMA_VERSION


def test_numeric_ids_are_stored_as_looker_strings(conn: sqlite3.Connection) -> None:
    row = to_row(BY_NAME["dashboards"], {"id": 42, "title": "x"})
    assert row.id == "42"


def test_rewriting_unchanged_items_changes_no_row(conn: sqlite3.Connection) -> None:
    run = new_run(conn)
    page = rows(dashboard("1", "A"), dashboard("2", "B"))
    store.write_page(conn, run, ("dashboards", 0, 0), page, listed=2)
    store.write_page(conn, run, ("dashboards", 0, 0), page, listed=2)
    assert updates(conn) == []
    store.write_page(conn, run, ("dashboards", 0, 0), rows(dashboard("1", "A2")), listed=1)
    assert updates(conn) == ["1"]


def test_items_gone_from_looker_are_marked_not_dropped(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    first = new_run(conn)
    store.write_page(
        conn, first, ("dashboards", 0, 0), rows(dashboard("1", "A"), dashboard("2", "B")), 2
    )
    store.finish_run(conn, first, status="complete", finished_at=T0, counts={}, errors=[])
    second = new_run(conn)
    store.write_page(conn, second, ("dashboards", 0, 0), rows(dashboard("1", "A")), listed=1)
    assert store.mark_missing(conn, second, "dashboards", T0) == 1
    gone = conn.execute("select deleted, missing_since from content where id = '2'").fetchone()
    assert gone == (1, T0.isoformat())
    assert store.content_counts(tmp_path / "looker.db") == {"dashboards": 1}
    third = new_run(conn)
    store.write_page(conn, third, ("dashboards", 0, 0), rows(dashboard("2", "B")), listed=1)
    back = conn.execute("select deleted, missing_since from content where id = '2'").fetchone()
    assert back == (0, None)


def test_soft_deleted_items_are_marked(conn: sqlite3.Connection) -> None:
    run = new_run(conn)
    store.write_page(conn, run, ("dashboards", 1, 0), rows(dashboard("5", "Old", True)), 1)
    assert conn.execute("select deleted, missing_since from content").fetchone() == (1, None)


def test_unfinished_run_keeps_its_pages_until_complete(conn: sqlite3.Connection) -> None:
    run = new_run(conn)
    store.write_page(conn, run, ("dashboards", 0, 10), rows(dashboard("1", "A")), listed=10)
    store.finish_run(conn, run, status="failed", finished_at=T0, counts={}, errors=["boom"])
    unfinished = store.unfinished_run(conn)
    assert unfinished is not None and unfinished.id == run and unfinished.page_size == 10
    assert store.completed_pages(conn, run) == {("dashboards", 0, 10): 10}
    store.finish_run(conn, run, status="complete", finished_at=T0, counts={}, errors=[])
    assert store.unfinished_run(conn) is None
    assert store.completed_pages(conn, run) == {}
    recorded = conn.execute("select status, errors from runs where id = ?", (run,)).fetchone()
    assert recorded[0] == "complete" and json.loads(recorded[1]) == []


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database " * 100)
    with pytest.raises(UsageError, match="not an SQLite database"):
        store.connect(path)
    assert path.read_text() == "not a database " * 100


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("create table things (x)").connection.commit()
    with pytest.raises(UsageError, match="not a LookerVault one"):
        store.connect(path)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store.connect(path).execute(f"pragma user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(UsageError, match="newer"):
        store.connect(path)
