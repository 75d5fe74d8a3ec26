"""Failures and refusals: one type failing does not stop the others, --retry-failed finishes
the job, and wrong use is refused before anything is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lookervault.local.standin import Profile, StandIn
from lookervault.restore.plan import quieted
from tests.restore.conftest import (
    Restore,
    differences,
    extract_items,
    read_items,
    restored_users,
    writes,
)
from tests.restore.test_migrate import only_backed_up


def test_a_failing_type_leaves_the_rest_done_and_retry_failed_completes(
    backup: Path, looker_b: StandIn, restore: Restore, tmp_path: Path, profile: Profile
) -> None:
    looker_b.faults.fail_requests("POST", "/looks", times=1000, status=503)

    broken = restore(looker_b, "--db", str(backup), "--yes", "--json", "--max-retries", "0")

    assert broken.code == 1
    assert "--retry-failed" in broken.err
    report = broken.json()
    failed = {(f["type"], f["id"]) for f in report["failures"]}
    assert failed and {kind for kind, _ in failed} == {"looks"}
    assert all("503" in f["error"] for f in report["failures"])
    counts = report["counts"]
    assert counts["folders"].get("created") and counts["users"].get("created")
    assert counts["groups"].get("failed", 0) == 0
    assert counts["dashboards"].get("skipped"), "dashboards showing failed looks must wait"

    looker_b.faults.clear()
    retried = restore(looker_b, "--db", str(backup), "--yes", "--retry-failed", "--json")

    assert retried.code == 0, retried.err
    assert {(i["type"], i["id"]) for i in retried.json()["items"] if i["type"] == "looks"} >= failed
    finished = restore(looker_b, "--db", str(backup), "--yes", "--json")
    assert finished.code == 0, finished.err
    restored = extract_items(looker_b, tmp_path / "b.db")
    users = restored_users(finished.json(), read_items(backup), restored)
    assert (
        only_backed_up(differences(quieted(read_items(backup)), restored, profile, users=users))
        == []
    )


def test_without_a_terminal_and_without_yes_nothing_is_written(
    looker_b: StandIn, backup: Path, restore: Restore
) -> None:
    looker_b.clear_exchanges()
    refused = restore(looker_b, "--db", str(backup))
    assert refused.code == 2
    assert "--yes" in refused.err
    assert writes(looker_b) == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "exactly one of --db and --from-snapshot"),
        (("--db", "a.db", "--from-snapshot", "1"), "exactly one of --db and --from-snapshot"),
        (("--db", "BACKUP", "--recursive"), "--recursive goes with --folder"),
        (("--db", "BACKUP", "--id", "dashboards"), "is not TYPE:ID"),
        (("--db", "BACKUP", "--id", "widgets:1"), "is not TYPE:ID"),
        (("--db", "BACKUP", "--id", "dashboards:99999"), "not in the backup"),
        (("--db", "BACKUP", "--folder", "99999"), "not in the backup"),
        (("--db", "BACKUP", "--retry-failed"), "No failed items"),
        (("--db", "BACKUP", "looks", "--retry-failed"), "takes no other selection"),
        (("--db", "missing.db"), "does not exist"),
    ],
)
def test_wrong_use_exits_2_with_a_hint_and_writes_nothing(
    looker_b: StandIn,
    backup: Path,
    restore: Restore,
    args: tuple[str, ...],
    words: str,
) -> None:
    looker_b.clear_exchanges()
    done = restore(looker_b, *(str(backup) if a == "BACKUP" else a for a in args), "--yes")
    assert done.code == 2, done.err
    assert words in done.err
    assert "Traceback" not in done.err
    assert writes(looker_b) == []


def test_a_database_that_is_not_a_whole_backup_is_refused(
    looker_b: StandIn, backup: Path, restore: Restore, tmp_path: Path
) -> None:
    unfinished = tmp_path / "unfinished.db"
    unfinished.write_bytes(backup.read_bytes())
    with sqlite3.connect(unfinished) as conn:
        conn.execute("update runs set status = 'failed'")
    other = tmp_path / "other.db"
    other.write_bytes(b"not a database at all, just some bytes" * 100)

    for path, words in ((unfinished, "no completed extraction run"), (other, "not a LookerVault")):
        done = restore(looker_b, "--db", str(path), "--dry-run")
        assert done.code == 2, done.err
        assert words in done.err


def test_rejected_credentials_exit_2_without_the_secret(
    looker_b: StandIn, backup: Path, restore: Restore
) -> None:
    done = restore(
        looker_b, "--db", str(backup), "--dry-run", env={"LOOKERSDK_CLIENT_SECRET": "wrong-one"}
    )
    assert done.code == 2
    assert "rejected" in done.err and "wrong-one" not in done.err
