"""Issue 11, item 7: messages that point the right way."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.local.sample import make_sample_db
from lookervault.local.standin import SeedSize, StandIn
from tests.support.cli import LOOKERVAULT, assert_no_traceback, run_cli
from tests.support.looker_fixtures import looker_env, sdk_env, standin, standin_factory  # noqa: F401


def test_the_timestamps_list_prints_are_accepted_as_refs(
    bucket: storage.Bucket, sample_db: Path, tmp_path: Path
) -> None:
    assert run_cli("snapshot", "upload", "--source", str(sample_db)).code == 0
    (record,) = run_cli("snapshot", "list", "--json").json()["snapshots"]
    table = run_cli("snapshot", "list").out
    iso = record["timestamp"]  # 2025-12-01T03:00:00Z
    shown = iso.replace("T", " ").removesuffix("Z")  # 2025-12-01 03:00:00, as in the table
    assert shown in table
    for number, ref in enumerate([iso, shown, iso.replace("Z", "+00:00")]):
        done = run_cli("snapshot", "download", ref, "-o", str(tmp_path / f"{number}.db"), "--json")
        assert done.code == 0, (ref, done.err)
        assert done.json()["name"] == record["name"]


def test_a_gs_url_as_bucket_is_understood(bucket: storage.Bucket) -> None:
    for value in (f"gs://{bucket.name}", f"gs://{bucket.name}/"):
        done = run_cli("snapshot", "list", env={"LOOKERVAULT_BUCKET": value})
        assert done.code == 0, done.err
        assert f"gs://{bucket.name}/snapshots/default/" in done.out


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("gs://my-bucket/backups", "and folders in LOOKERVAULT_PREFIX"),
        ("My_Bucket", "not a valid Cloud Storage bucket name"),
        ("ab", "not a valid Cloud Storage bucket name"),
    ],
)
def test_an_invalid_bucket_is_exit_2_not_not_found(
    emulator_env: object, value: str, says: str
) -> None:
    done = run_cli("snapshot", "list", env={"LOOKERVAULT_BUCKET": value})
    assert done.code == 2
    assert says in done.err


def test_unreachable_storage_is_reported_while_it_is_retried(tmp_path: Path) -> None:
    """The warning arrives as the first line on stderr, before the retries give up: on main it
    came only with the final error, minutes later."""
    env = {
        **os.environ,
        "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9",
        "LOOKERVAULT_BUCKET": "some-bucket",
        "LOOKERVAULT_GCS_RETRY_SECONDS": "600",
    }
    process = subprocess.Popen(
        [*LOOKERVAULT, "snapshot", "list", "--no-cache"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert process.poll() is None, "it gave up instead of retrying"
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert first.startswith("Warning: Cloud Storage did not answer (cannot connect")
    assert "retrying for up to 600 s" in first and "STORAGE_EMULATOR_HOST" in first
    assert_no_traceback(rest)


def test_unreachable_storage_gives_up_after_the_configured_retry_time() -> None:
    """1 s of retries instead of the default 120 s: the process must be done long before the
    generous 60 s the run is given (it is not a timing test, only a hang guard)."""
    env = {
        "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9",
        "LOOKERVAULT_BUCKET": "some-bucket",
        "LOOKERVAULT_GCS_RETRY_SECONDS": "1",
    }
    done = run_cli("snapshot", "list", "--no-cache", env=env, timeout=60)
    assert done.code == 1
    assert "retrying for up to 1 s" in done.err
    assert "failed after retries" in done.err and "network" in done.err


def test_a_corrupt_source_database_is_named_as_the_users_file_with_exit_2(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    source = make_sample_db(tmp_path / "mine.db", 256 * 1024)
    with closing(sqlite3.connect(source)) as connection:
        page_size = connection.execute("pragma page_size").fetchone()[0]
        (root,) = connection.execute(
            "select rootpage from sqlite_master where name = 'content'"
        ).fetchone()
    data = bytearray(source.read_bytes())
    start = (root - 1) * page_size
    data[start + 8 : start + page_size] = bytes(page_size - 8)  # the table's cells, zeroed
    source.write_bytes(bytes(data))
    done = run_cli("snapshot", "upload", "--source", str(source))
    assert done.code == 2
    assert f"{source} is damaged" in done.err and "integrity check failed" in done.err
    assert "lookervault-upload-" not in done.err
    assert list(bucket.client.list_blobs(bucket.name)) == []


def committed_pages(db: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
            return int(connection.execute("select count(*) from run_pages").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_extract_says_that_resume_continues_and_it_does(
    looker_env: StandIn,  # noqa: F811
    tmp_path: Path,
    signum: int,
) -> None:
    db = tmp_path / "looker.db"
    looker_env.faults.latency_s = 0.02
    command = [*LOOKERVAULT, "extract", "--db", str(db), "--page-size", "3", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while committed_pages(db) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # waiting for progress to interrupt, not racing anything
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert_no_traceback(err)
    assert process.returncode == 2, err
    assert f"Extraction interrupted; every page committed so far is kept in {db}" in err
    assert "--resume" in err
    looker_env.faults.latency_s = 0.0
    resumed = run_cli(*command[3:], "--resume", "--json", timeout=240)
    assert resumed.code == 0, resumed.err
    assert resumed.json()["resumed"] is True


def test_extracting_into_a_database_of_another_looker_host_is_refused_unless_asked(
    standin_factory: Callable[..., StandIn],  # noqa: F811
    tmp_path: Path,
) -> None:
    first, second = (
        standin_factory(seed=SeedSize.scaled(3)),
        standin_factory(seed=SeedSize.scaled(3)),
    )
    db = str(tmp_path / "looker.db")
    assert run_cli("extract", "folders", "--db", db, env=sdk_env(first)).code == 0
    refused = run_cli("extract", "folders", "--db", db, env=sdk_env(second))
    assert refused.code == 2
    host = second.base_url.removeprefix("http://")
    assert first.base_url.removeprefix("http://") in refused.err and host in refused.err
    assert "--allow-other-host" in refused.err
    allowed = run_cli("extract", "folders", "--db", db, "--allow-other-host", env=sdk_env(second))
    assert allowed.code == 0, allowed.err
    assert run_cli("extract", "folders", "--db", db, env=sdk_env(second)).code == 0
