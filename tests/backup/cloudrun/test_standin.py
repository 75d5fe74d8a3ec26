"""The stand-in's JSON is what the Cloud Run Admin v2 protos define: every field it sends is
known to them (parsed strictly), in both enum encodings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from google.cloud import run_v2
from google.longrunning import operations_pb2
from google.protobuf import json_format

from tests.support.cloudrun_standin import CloudRunStandIn

JOB = "lookervault-backup"


def _get(url: str, method: str = "GET", numbers: bool = False) -> tuple[int, Any]:
    params = {"$alt": "json;enum-encoding=int"} if numbers else {}
    response = requests.request(method, url, params=params, timeout=10)
    return response.status_code, response.json()


@pytest.mark.parametrize("numbers", [False, True])
def test_resources_parse_strictly(cloud_run: CloudRunStandIn, numbers: bool) -> None:
    cloud_run.add_execution(JOB, datetime(2025, 5, 2, tzinfo=UTC), seconds=30, failed="boom")
    cloud_run.add_execution(JOB, datetime(2025, 5, 3, tzinfo=UTC), seconds=None)
    base = f"{cloud_run.url}/v2/{cloud_run.job_name(JOB)}"

    status, body = _get(f"{base}/executions", numbers=numbers)
    assert status == 200
    listed = run_v2.ListExecutionsResponse.pb(run_v2.ListExecutionsResponse())
    json_format.ParseDict(body, listed, ignore_unknown_fields=False)
    running, failed = listed.executions
    assert running.running_count == 1 and not running.HasField("completion_time")
    assert failed.failed_count == 1
    completed = [c for c in failed.conditions if c.type_ == "Completed"]
    assert [c.state for c in completed] == [run_v2.Condition.State.CONDITION_FAILED]
    assert completed[0].message == "boom"

    status, body = _get(base, numbers=numbers)
    assert status == 200
    job = json_format.ParseDict(body, run_v2.Job.pb(run_v2.Job()), ignore_unknown_fields=False)
    assert job.execution_count == 2
    assert job.latest_created_execution.name == running.name


def test_run_operation_parses_strictly(cloud_run: CloudRunStandIn) -> None:
    cloud_run.polls_to_finish = 1
    run_url = f"{cloud_run.url}/v2/{cloud_run.job_name(JOB)}:run"

    status, started = _get(run_url, method="POST")
    assert status == 200
    operation = json_format.ParseDict(started, operations_pb2.Operation())
    assert not operation.done
    metadata = run_v2.Execution.pb(run_v2.Execution())
    assert operation.metadata.Unpack(metadata)

    status, finished = _get(f"{cloud_run.url}/v2/{operation.name}")
    assert status == 200
    operation = json_format.ParseDict(finished, operations_pb2.Operation())
    result = run_v2.Execution.pb(run_v2.Execution())
    assert operation.done and operation.response.Unpack(result)
    assert result.name == metadata.name
    assert result.succeeded_count == 1


def test_errors_use_the_google_format(cloud_run: CloudRunStandIn) -> None:
    status, body = _get(f"{cloud_run.url}/v2/{cloud_run.job_name('missing')}:run", method="POST")
    assert status == 404
    assert body["error"]["status"] == "NOT_FOUND"
    assert body["error"]["code"] == 404
    assert "missing" in body["error"]["message"]
