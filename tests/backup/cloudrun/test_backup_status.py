"""`lookervault backup status`: executions from the Cloud Run stand-in, snapshots from the
GCS emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from google.cloud import storage

from tests.backup.cloudrun.conftest import Cli
from tests.support.cloudrun_standin import CloudRunStandIn, FakeExecution

JOB = "lookervault-backup"
FAILURE = (
    "Task lookervault-backup-f00d-task1 failed with message: The container exited with an error."
)


@pytest.fixture
def history(cloud_run: CloudRunStandIn) -> list[FakeExecution]:
    """Three past executions, oldest first: succeeded, failed, still running."""
    return [
        cloud_run.add_execution(JOB, datetime(2025, 5, 1, 2, 0, tzinfo=UTC), seconds=75),
        cloud_run.add_execution(
            JOB, datetime(2025, 5, 2, 2, 0, tzinfo=UTC), seconds=3725, task_count=2, failed=FAILURE
        ),
        cloud_run.add_execution(JOB, datetime(2025, 5, 3, 2, 0, tzinfo=UTC), seconds=None),
    ]


def _short(execution: FakeExecution) -> str:
    return execution.name.rsplit("/", 1)[-1]


def _put(bucket: storage.Bucket, name: str, data: bytes = b"\x1f\x8b") -> None:
    bucket.blob(name).upload_from_string(data, if_generation_match=0)


def test_status_json_lists_executions_newest_first(history: list[FakeExecution], cli: Cli) -> None:
    assert cli("backup", "status", "--json") == 0

    status = json.loads(cli.out)
    records = status["executions"]
    assert [r["name"] for r in records] == [e.name for e in reversed(history)]
    running, failed, succeeded = records
    assert running["state"] == "running"
    assert running["duration_seconds"] is None
    assert running["started"] == "2025-05-03T02:00:00Z"
    assert (running["task_count"], running["running_count"]) == (1, 1)
    assert failed["state"] == "failed"
    assert failed["duration_seconds"] == 3725
    assert (failed["task_count"], failed["succeeded_count"], failed["failed_count"]) == (2, 0, 2)
    assert failed["message"] == FAILURE
    assert succeeded["state"] == "succeeded"
    assert succeeded["duration_seconds"] == 75
    assert (succeeded["succeeded_count"], succeeded["failed_count"]) == (1, 0)
    assert status["job"] == f"projects/test-project/locations/europe-west1/jobs/{JOB}"


def test_status_table_shows_state_start_duration_and_tasks(
    history: list[FakeExecution], cli: Cli
) -> None:
    assert cli("backup", "status") == 0

    lines = {line.split()[0]: line for line in cli.out.splitlines() if line.strip()}
    running, failed, succeeded = (lines[_short(e)] for e in reversed(history))
    assert "running" in running and "2025-05-03 02:00:00" in running
    assert "1/1 succeeded" not in running and "1 running" in running
    assert "failed" in failed and "1h02m05s" in failed and "0/2 succeeded, 2 failed" in failed
    assert "succeeded" in succeeded and "1m15s" in succeeded and "1/1 succeeded" in succeeded


def test_status_limit_asks_for_one_page_of_that_size(
    cloud_run: CloudRunStandIn, history: list[FakeExecution], cli: Cli
) -> None:
    assert cli("backup", "status", "--json", "--limit", "2") == 0

    names = [r["name"] for r in json.loads(cli.out)["executions"]]
    assert names == [history[2].name, history[1].name]
    lists = [r for r in cloud_run.requests if r.path.endswith("/executions")]
    assert [r.query["pageSize"] for r in lists] == [["2"]]


def test_status_pages_through_executions(
    cloud_run: CloudRunStandIn, history: list[FakeExecution], cli: Cli
) -> None:
    more = [
        cloud_run.add_execution(JOB, datetime(2025, 4, day, tzinfo=UTC), seconds=60)
        for day in range(1, 4)
    ]
    cloud_run.page_size_cap = 2

    assert cli("backup", "status", "--json", "--limit", "5") == 0

    names = [r["name"] for r in json.loads(cli.out)["executions"]]
    assert names == [e.name for e in reversed(history)] + [more[2].name, more[1].name]


def test_status_without_executions(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    assert cli("backup", "status") == 0
    assert "No executions yet" in cli.out


def test_status_shows_newest_snapshot_per_instance(
    history: list[FakeExecution], bucket: storage.Bucket, cli: Cli
) -> None:
    _put(bucket, "snapshots/default/looker-2025-05-01T02-01-00.db.gz")
    _put(bucket, "snapshots/default/looker-2025-05-02T02-01-00.db.gz", b"\x1f\x8b" * 50)
    _put(bucket, "snapshots/default/notes.txt")
    _put(bucket, "snapshots/staging/looker-2025-04-30T02-01-00.db.gz")
    _put(bucket, "snapshots/empty/readme.txt")
    _put(bucket, "elsewhere/prod/looker-2025-06-01T00-00-00.db.gz")

    assert cli("backup", "status", "--json") == 0

    status = json.loads(cli.out)
    assert status["bucket"] == bucket.name
    latest = {s["instance"]: s for s in status["latest_snapshots"]}
    assert sorted(latest) == ["default", "staging"]
    assert latest["default"]["name"] == "snapshots/default/looker-2025-05-02T02-01-00.db.gz"
    assert latest["default"]["size_bytes"] == 100
    assert latest["default"]["gcs_path"] == (
        f"gs://{bucket.name}/snapshots/default/looker-2025-05-02T02-01-00.db.gz"
    )
    assert latest["staging"]["timestamp"] == "2025-04-30T02:01:00Z"
    assert len(status["executions"]) == 3

    assert cli("backup", "status") == 0
    assert f"gs://{bucket.name}/snapshots/" in cli.out
    rows = {line.split()[0]: line for line in cli.out.splitlines() if line.strip()}
    assert "looker-2025-05-02T02-01-00.db.gz" in rows["default"]
    assert "looker-2025-04-30T02-01-00.db.gz" in rows["staging"]
    assert "100 B" in rows["default"]


def test_status_with_an_empty_bucket(
    cloud_run: CloudRunStandIn, bucket: storage.Bucket, cli: Cli
) -> None:
    assert cli("backup", "status") == 0
    assert "No snapshots yet." in cli.out


def test_status_without_a_bucket_still_lists_executions(
    history: list[FakeExecution], cli: Cli
) -> None:
    assert cli("backup", "status", "--json") == 0

    status = json.loads(cli.out)
    assert status["bucket"] is None
    assert status["latest_snapshots"] == []
    assert len(status["executions"]) == 3
    assert "LOOKERVAULT_BUCKET" in cli.err


def test_status_with_a_missing_bucket_exits_3(
    history: list[FakeExecution],
    emulator_env: object,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOOKERVAULT_BUCKET", "lv-test-no-such-bucket")

    assert cli("backup", "status") == 3
    assert "lv-test-no-such-bucket" in cli.err


def test_status_of_a_missing_job_exits_3(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOKERVAULT_JOB", "not-deployed")

    assert cli("backup", "status", "--json") == 3

    assert "'not-deployed' was not found" in cli.err
    assert "Terraform" in cli.err
    assert cli.out == ""


def test_status_limit_must_be_positive(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    assert cli("backup", "status", "--limit", "0") == 2
    assert cloud_run.requests == []


def test_max_age_names_the_last_execution_and_its_outcome(
    history: list[FakeExecution], bucket: storage.Bucket, cli: Cli
) -> None:
    _put(bucket, "snapshots/default/looker-2026-11-26T03-00-00.db.gz")

    assert cli("backup", "status", "--max-age", "1d", "--json") == 0

    status = json.loads(cli.out)
    assert status["fresh"] is True
    assert status["last_execution"]["execution"] == _short(history[-1])
    assert status["last_execution"]["state"] == "running"
    assert cli("backup", "status", "--max-age", "1d") == 0
    assert f"{_short(history[-1])} running" in cli.out
