"""Issue 11, item 5: ordinary mistakes end in a sentence and the contract's exit code, never a
traceback (every run here goes through `run_cli`, which asserts that)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.local.standin import StandIn
from tests.support.cli import left_behind, on_small_disk, run_cli
from tests.support.looker_fixtures import looker_env, standin, standin_factory  # noqa: F401


@pytest.fixture
def uploaded(bucket: storage.Bucket, sample_db: Path) -> storage.Bucket:
    assert run_cli("snapshot", "upload", "--source", str(sample_db)).code == 0
    return bucket


def test_download_onto_an_existing_folder_is_exit_2(uploaded: object, tmp_path: Path) -> None:
    folder = tmp_path / "restore"
    folder.mkdir()
    done = run_cli("snapshot", "download", "1", "-o", str(folder), "--overwrite")
    assert done.code == 2
    assert "is a folder" in done.err and str(folder / "looker.db") in done.err
    assert list(folder.iterdir()) == []


def test_download_into_a_folder_that_cannot_be_written_is_exit_2(
    uploaded: object, tmp_path: Path
) -> None:
    mount = tmp_path / "readonly"
    mount.mkdir()
    done = run_cli(
        "snapshot",
        "download",
        "1",
        "-o",
        str(mount / "looker.db"),
        prefix=on_small_disk(mount, 64, read_only=True),
    )
    assert done.code == 2
    assert f"Cannot write in {mount}" in done.err and "Read-only file system" in done.err


def test_a_full_disk_on_download_is_exit_1_and_leaves_nothing(
    uploaded: object, tmp_path: Path
) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    done = run_cli(
        "snapshot",
        "download",
        "1",
        "-o",
        str(mount / "looker.db"),
        prefix=on_small_disk(mount, 512),
    )
    assert done.code == 1
    assert "No space left on device" in done.err and "Free some space" in done.err
    assert left_behind(done) == []


def test_a_full_disk_on_extract_is_exit_1_and_says_how_to_resume(
    looker_env: StandIn,  # noqa: F811
    tmp_path: Path,
) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    done = run_cli(
        "extract", "--db", str(mount / "looker.db"), prefix=on_small_disk(mount, 96), timeout=240
    )
    assert done.code == 1
    assert "database or disk is full" in done.err and "--resume" in done.err


MALFORMED = {"LOOKERVAULT_INSTANCES": '[{"name": "emea", '}


@pytest.mark.parametrize(
    "command",
    [
        ["snapshot", "list"],
        ["snapshot", "upload"],
        ["snapshot", "download", "1"],
        ["snapshot", "cleanup"],
        ["backup", "status"],
        ["backup", "run"],
    ],
)
def test_malformed_instances_json_is_exit_2_naming_the_variable(command: list[str]) -> None:
    done = run_cli(*command, env={"LOOKERVAULT_BUCKET": "some-bucket", **MALFORMED})
    assert done.code == 2
    assert "LOOKERVAULT_INSTANCES cannot be parsed" in done.err and "JSON" in done.err


def test_malformed_instances_json_is_one_structured_error_line_from_the_job() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lookervault.backup.job"],
        env={**os.environ, "LOOKERVAULT_BUCKET": "some-bucket", **MALFORMED},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == ""
    (entry,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert entry["severity"] == "ERROR"
    assert "LOOKERVAULT_INSTANCES cannot be parsed" in entry["message"]


def test_a_looker_base_url_without_a_scheme_is_exit_2(tmp_path: Path) -> None:
    env = {
        "LOOKERSDK_BASE_URL": "mycompany.looker.com",
        "LOOKERSDK_CLIENT_ID": "id",
        "LOOKERSDK_CLIENT_SECRET": "secret",
    }
    done = run_cli("extract", "--db", str(tmp_path / "looker.db"), env=env)
    assert done.code == 2
    assert "https://mycompany.looker.com" in done.err
    assert "secret" not in done.err
    assert not (tmp_path / "looker.db").exists()
