"""Issue 11, item 4: upload refuses what is not a backup, and retention never trades a whole
snapshot for an incomplete one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.config import load_settings
from lookervault.local.sample import make_sample_db
from lookervault.local.standin import StandIn
from lookervault.snapshot.catalog import INCOMPLETE_KEY
from lookervault.snapshot.upload import upload_snapshot
from tests.support.cli import run_cli
from tests.support.looker_fixtures import looker_env, standin, standin_factory  # noqa: F401


def sql(path: Path, statement: str) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(statement)


def empty_file(path: Path) -> None:
    path.write_bytes(b"")


def not_ours(path: Path) -> None:
    sql(path, "create table dashboards (id integer primary key, title text)")
    sql(path, "insert into dashboards (title) values ('sales')")


def killed_half_way(path: Path) -> None:
    make_sample_db(path, 64 * 1024)
    sql(path, "update runs set status = 'running', finished_at = null")


def without_content(path: Path) -> None:
    make_sample_db(path, 64 * 1024)
    sql(path, "delete from content")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (empty_file, "it is empty (no tables)"),
        (not_ours, "it is not a database made by `lookervault extract`"),
        (killed_half_way, "did not complete (running)"),
        (without_content, "it holds no Looker content"),
    ],
)
def test_what_is_not_a_backup_is_refused_with_exit_2_and_why(
    bucket: storage.Bucket, tmp_path: Path, make: Callable[[Path], None], why: str
) -> None:
    source = tmp_path / "looker.db"
    make(source)
    done = run_cli("snapshot", "upload", "--source", str(source))
    assert done.code == 2
    assert f"{source} is not a whole backup: " in done.err and why in done.err
    assert "--allow-incomplete" in done.err
    assert list(bucket.client.list_blobs(bucket.name)) == []


def test_the_database_of_a_failed_extraction_is_refused(
    bucket: storage.Bucket,
    looker_env: StandIn,  # noqa: F811
    tmp_path: Path,
) -> None:
    db = tmp_path / "looker.db"
    looker_env.faults.fail_page("/users/search", times=100)
    failed = run_cli("extract", "folders", "users", "--db", str(db), "--max-retries", "0")
    assert failed.code == 1, failed.err
    done = run_cli("snapshot", "upload", "--source", str(db))
    assert done.code == 2
    assert "did not complete (failed)" in done.err and "--resume" in done.err
    assert list(bucket.client.list_blobs(bucket.name)) == []


def test_allow_incomplete_uploads_it_marked_and_listed_as_such(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    source = tmp_path / "looker.db"
    killed_half_way(source)
    done = run_cli("snapshot", "upload", "--source", str(source), "--allow-incomplete")
    assert done.code == 0, done.err
    assert "marked incomplete: its last extraction" in done.out
    (blob,) = bucket.client.list_blobs(bucket.name)
    assert "did not complete (running)" in blob.metadata[INCOMPLETE_KEY]
    listed = run_cli("snapshot", "list", "--json").json()["snapshots"]
    assert [s["incomplete"] for s in listed] == [True]
    assert "incomplete" in run_cli("snapshot", "list", "--no-cache").out


def test_incomplete_snapshots_do_not_count_toward_min_count(
    bucket: storage.Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five whole snapshots, then five incomplete ones: with min_count 5 and everything past
    max_age_days, the whole ones stay and the incomplete ones go."""
    whole = make_sample_db(tmp_path / "whole.db", 64 * 1024)
    partial = tmp_path / "partial.db"
    killed_half_way(partial)
    settings = load_settings(bucket=bucket.name)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)

    def upload(source: Path, minute: int, allow_incomplete: bool = False) -> str:
        moment = hour_ago + timedelta(minutes=minute)
        return upload_snapshot(
            bucket.client, settings, source, now=lambda: moment, allow_incomplete=allow_incomplete
        ).name

    kept = [upload(whole, minute) for minute in range(5)]
    dropped = [upload(partial, minute, allow_incomplete=True) for minute in range(5, 10)]
    monkeypatch.setenv("LOOKERVAULT_RETENTION_MIN_COUNT", "5")
    monkeypatch.setenv("LOOKERVAULT_RETENTION_MAX_AGE_DAYS", "0")
    done = run_cli("snapshot", "cleanup", "--no-dry-run", "--force", "--json")
    assert done.code == 0, done.err
    decisions = {row["name"]: row["decision"] for row in done.json()["snapshots"]}
    assert decisions == {**dict.fromkeys(kept, "keep"), **dict.fromkeys(dropped, "delete")}
    assert sorted(b.name for b in bucket.client.list_blobs(bucket.name)) == sorted(kept)
