"""`lookervault backup run [--wait] [--json]` against the Cloud Run Admin API stand-in."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup.cloudrun.conftest import Cli
from tests.support.cloudrun_standin import CloudRunStandIn

FAILURE = (
    "Task lookervault-backup-x1y2z-task0 failed with message: The container exited with an error."
)


def _operation_polls(standin: CloudRunStandIn) -> int:
    return sum(1 for r in standin.requests if "/operations/" in r.path)


def test_run_wait_polls_until_the_execution_succeeds(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    cloud_run.polls_to_finish = 3

    assert cli("backup", "run", "--wait") == 0

    [execution] = cloud_run.executions
    assert execution.done
    assert _operation_polls(cloud_run) == 3
    short = execution.name.rsplit("/", 1)[-1]
    assert f"Execution {short} succeeded" in cli.out
    assert "1/1 succeeded" in cli.out
    runs = [r for r in cloud_run.requests if r.method == "POST"]
    assert [r.path for r in runs] == [f"/v2/{cloud_run.job_name('lookervault-backup')}:run"]


def test_plain_http_endpoint_gets_no_credentials(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    assert cli("backup", "run", "--wait") == 0
    assert cloud_run.requests
    assert all("authorization" not in r.headers for r in cloud_run.requests)


def test_run_wait_json_reports_the_finished_execution(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    assert cli("backup", "run", "--wait", "--json") == 0

    [execution] = cloud_run.executions
    record = json.loads(cli.out)
    assert record["name"] == execution.name
    assert record["state"] == "succeeded"
    assert (record["task_count"], record["succeeded_count"], record["failed_count"]) == (1, 1, 0)
    assert execution.start_time and execution.completion_time
    expected = (execution.completion_time - execution.start_time).total_seconds()
    assert record["duration_seconds"] == expected
    assert record["completed"] == execution.completion_time.isoformat().replace("+00:00", "Z")


def test_run_without_wait_returns_once_started(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    cloud_run.polls_to_finish = 5

    assert cli("backup", "run", "--json") == 0

    [execution] = cloud_run.executions
    assert not execution.done
    assert _operation_polls(cloud_run) == 0
    record = json.loads(cli.out)
    assert record["name"] == execution.name
    assert record["state"] == "running"


def test_run_without_wait_says_how_to_follow(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    assert cli("backup", "run") == 0
    short = cloud_run.executions[0].name.rsplit("/", 1)[-1]
    assert f"Started execution {short}" in cli.out
    assert "lookervault backup status" in cli.out


@pytest.mark.parametrize("style", ["execution", "operation-error"])
def test_failed_execution_exits_1_with_its_message(
    cloud_run: CloudRunStandIn, cli: Cli, style: str
) -> None:
    cloud_run.fail_next = FAILURE
    cloud_run.failure_style = style  # type: ignore[assignment]

    assert cli("backup", "run", "--wait") == 1

    short = cloud_run.executions[0].name.rsplit("/", 1)[-1]
    assert f"Backup execution {short} failed" in cli.err
    assert FAILURE in cli.err
    assert "logs" in cli.err


def test_failed_execution_json_still_prints_the_execution(
    cloud_run: CloudRunStandIn, cli: Cli
) -> None:
    cloud_run.fail_next = FAILURE

    assert cli("backup", "run", "--wait", "--json") == 1

    record = json.loads(cli.out)
    assert record["state"] == "failed"
    assert (record["failed_count"], record["succeeded_count"]) == (1, 0)
    assert record["message"] == FAILURE
    assert FAILURE in cli.err


def test_only_the_next_execution_fails(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    cloud_run.fail_next = FAILURE
    assert cli("backup", "run", "--wait") == 1
    assert cli("backup", "run", "--wait") == 0


@pytest.mark.parametrize("wait", [[], ["--wait"]])
def test_missing_job_exits_3_with_a_hint(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch, wait: list[str]
) -> None:
    monkeypatch.setenv("LOOKERVAULT_JOB", "not-deployed")

    assert cli("backup", "run", *wait) == 3

    assert "'not-deployed' was not found" in cli.err
    assert "Terraform" in cli.err
    assert "LOOKERVAULT_JOB" in cli.err
    assert cli.out == ""
    assert cloud_run.executions == []


def test_wrong_region_is_a_missing_job(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOKERVAULT_REGION", "us-central1")
    assert cli("backup", "run") == 3
    assert "region 'us-central1'" in cli.err


@pytest.mark.parametrize("unset", ["LOOKERVAULT_PROJECT", "LOOKERVAULT_REGION"])
def test_missing_location_is_a_config_error(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch, unset: str
) -> None:
    monkeypatch.delenv(unset)

    assert cli("backup", "run", "--wait") == 2

    assert unset in cli.err
    assert cloud_run.requests == []


def test_location_from_lookervault_toml(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LOOKERVAULT_PROJECT")
    monkeypatch.delenv("LOOKERVAULT_REGION")
    config = tmp_path / "lookervault.toml"
    config.write_text(
        f'[snapshot]\nproject = "{cloud_run.project}"\nregion = "{cloud_run.region}"\n'
    )
    monkeypatch.setenv("LOOKERVAULT_CONFIG", str(config))

    assert cli("backup", "run", "--wait") == 0
    assert len(cloud_run.executions) == 1


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("LOOKERVAULT_JOB", "Bad_Job"),
        ("LOOKERVAULT_REGION", "projects/x"),
        ("LOOKERVAULT_RUN_POLL_SECONDS", "0"),
    ],
)
def test_invalid_settings_exit_2_naming_the_key(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    monkeypatch.setenv(key, value)

    assert cli("backup", "run") == 2

    assert key.removeprefix("LOOKERVAULT_").lower() in cli.err
    assert cloud_run.requests == []


def test_permission_denied_exits_1(cloud_run: CloudRunStandIn, cli: Cli) -> None:
    cloud_run.denied = True

    assert cli("backup", "run", "--wait") == 1

    assert "permission denied" in cli.err
    assert "roles/run" in cli.err


def test_unreachable_api_exits_1(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("LOOKERVAULT_RUN_API_ENDPOINT", f"http://127.0.0.1:{closed_port}")

    assert cli("backup", "run") == 1

    assert "cannot reach the Cloud Run API" in cli.err


def test_wait_gives_up_after_the_timeout(
    cloud_run: CloudRunStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud_run.polls_to_finish = 10**9
    monkeypatch.setenv("LOOKERVAULT_RUN_TIMEOUT_SECONDS", "0.3")

    assert cli("backup", "run", "--wait") == 1

    assert "is still running" in cli.err
    assert "lookervault backup status" in cli.err
    assert not cloud_run.executions[0].done


def test_console_script_exit_code_and_streams(cloud_run: CloudRunStandIn) -> None:
    script = Path(sys.executable).with_name("lookervault")
    env = {**os.environ, "LOOKERVAULT_JOB": "not-deployed"}

    result = subprocess.run(
        [str(script), "backup", "run", "--wait", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("Error: Cloud Run job 'not-deployed' was not found")
