"""A local stand-in for the Cloud Run Admin API v2 endpoints `lookervault backup` calls.

It speaks the REST wire format of run.googleapis.com (proto3 JSON, camelCase, RFC 3339 times,
int64 as strings, long-running operations with an `@type`d Execution as metadata and response,
errors as `{"error": {"code", "message", "status"}}`), so the real `google-cloud-run` client,
REST transport, talks to it unchanged. The JSON is written by hand here, not produced by the
client library, so the tests prove that the client reads what the API sends.

Knobs: a job that does not exist, every call denied, the next execution failing with a message
(reported either as an Execution with failed tasks or as an operation error), how many
operation polls an execution needs before it finishes, and a cap on the page size.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

EXECUTION_TYPE = "type.googleapis.com/google.cloud.run.v2.Execution"
_SEGMENT = r"[^/:]+"
_RUN = re.compile(rf"^/v2/projects/({_SEGMENT})/locations/({_SEGMENT})/jobs/({_SEGMENT}):run$")
_JOB = re.compile(rf"^/v2/projects/({_SEGMENT})/locations/({_SEGMENT})/jobs/({_SEGMENT})$")
_EXECUTIONS = re.compile(
    rf"^/v2/projects/({_SEGMENT})/locations/({_SEGMENT})/jobs/({_SEGMENT})/executions$"
)
_OPERATION = re.compile(
    rf"^/v2/projects/({_SEGMENT})/locations/({_SEGMENT})/operations/({_SEGMENT})$"
)
# With `$alt=json;enum-encoding=int` (what the Python client asks for) enums travel as numbers.
_ENUM_NUMBERS = {
    "state": {"CONDITION_PENDING": 1, "CONDITION_FAILED": 3, "CONDITION_SUCCEEDED": 4},
    "executionReason": {"NON_ZERO_EXIT_CODE": 2, "CANCELLED": 3},
    "launchStage": {"GA": 4},
}
_STATUS_NAMES = {404: "NOT_FOUND", 403: "PERMISSION_DENIED", 400: "INVALID_ARGUMENT"}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class FakeExecution:
    """One execution of a job, as the stand-in keeps it."""

    name: str
    job: str
    create_time: datetime
    start_time: datetime | None = None
    completion_time: datetime | None = None
    task_count: int = 1
    succeeded_count: int = 0
    failed_count: int = 0
    running_count: int = 0
    failure_message: str | None = None
    polls_left: int = 0
    operation: str = ""

    @property
    def done(self) -> bool:
        return self.completion_time is not None

    def finish(self, at: datetime) -> None:
        self.completion_time = at
        self.running_count = 0
        if self.failure_message is None:
            self.succeeded_count = self.task_count
        else:
            self.failed_count = self.task_count

    def to_json(self) -> dict[str, Any]:
        """The Execution resource as GET .../executions/* returns it."""
        project_location = self.name.split("/jobs/")[0]
        body: dict[str, Any] = {
            "name": self.name,
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.name)),
            "generation": "1",
            "createTime": rfc3339(self.create_time),
            "updateTime": rfc3339(self.completion_time or self.start_time or self.create_time),
            "launchStage": "GA",
            "job": self.job,
            "parallelism": self.task_count,
            "taskCount": self.task_count,
            "conditions": self._conditions(),
            "observedGeneration": "1",
            "reconciling": not self.done,
            "logUri": f"https://console.cloud.google.com/logs/viewer?{project_location}",
            "etag": f'"{uuid.uuid4().hex}"',
        }
        if self.start_time is not None:
            body["startTime"] = rfc3339(self.start_time)
        if self.completion_time is not None:
            body["completionTime"] = rfc3339(self.completion_time)
        # proto3 JSON leaves zero counts out, as the real API does.
        for key, value in (
            ("runningCount", self.running_count),
            ("succeededCount", self.succeeded_count),
            ("failedCount", self.failed_count),
        ):
            if value:
                body[key] = value
        return body

    def _conditions(self) -> list[dict[str, Any]]:
        moment = rfc3339(self.completion_time or self.start_time or self.create_time)
        started = "CONDITION_SUCCEEDED" if self.start_time else "CONDITION_PENDING"
        conditions: list[dict[str, Any]] = [
            {
                "type": "ResourcesAvailable",
                "state": "CONDITION_SUCCEEDED",
                "lastTransitionTime": moment,
            },
            {"type": "Started", "state": started, "lastTransitionTime": moment},
        ]
        if not self.done:
            conditions.append(
                {"type": "Completed", "state": "CONDITION_PENDING", "lastTransitionTime": moment}
            )
        elif self.failed_count:
            conditions.append(
                {
                    "type": "Completed",
                    "state": "CONDITION_FAILED",
                    "message": self.failure_message or "Execution failed.",
                    "lastTransitionTime": moment,
                    "executionReason": "NON_ZERO_EXIT_CODE",
                }
            )
        else:
            conditions.append(
                {
                    "type": "Completed",
                    "state": "CONDITION_SUCCEEDED",
                    "message": "Execution completed successfully in 1m 3.21s.",
                    "lastTransitionTime": moment,
                }
            )
        return conditions


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class CloudRunStandIn:
    """State and knobs of the stand-in. Tests change the knobs between calls."""

    project: str = "test-project"
    region: str = "europe-west1"
    jobs: set[str] = field(default_factory=lambda: {"lookervault-backup"})
    polls_to_finish: int = 2
    fail_next: str | None = None
    failure_style: Literal["execution", "operation-error"] = "execution"
    denied: bool = False
    page_size_cap: int = 100
    executions: list[FakeExecution] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock: datetime = field(default_factory=lambda: datetime(2025, 6, 1, 2, 0, tzinfo=UTC))

    def location(self, project: str | None = None, region: str | None = None) -> str:
        return f"projects/{project or self.project}/locations/{region or self.region}"

    def job_name(self, job: str) -> str:
        return f"{self.location()}/jobs/{job}"

    def tick(self, seconds: float = 1.0) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def add_execution(
        self,
        job: str,
        start: datetime,
        seconds: float | None,
        task_count: int = 1,
        failed: str | None = None,
    ) -> FakeExecution:
        """Seed a past execution; `seconds=None` leaves it running."""
        suffix = uuid.uuid4().hex[:5]
        execution = FakeExecution(
            name=f"{self.job_name(job)}/executions/{job}-{suffix}",
            job=job,
            create_time=start - timedelta(seconds=2),
            start_time=start,
            task_count=task_count,
            running_count=task_count,
            failure_message=failed,
        )
        if seconds is not None:
            execution.finish(start + timedelta(seconds=seconds))
        with self.lock:
            self.executions.append(execution)
        return execution

    def executions_of(self, job: str) -> list[FakeExecution]:
        """Newest first, like the API."""
        mine = [e for e in self.executions if e.job == job]
        return sorted(mine, key=lambda e: e.create_time, reverse=True)

    # Request handling -------------------------------------------------------------------------

    def handle(self, request: Request) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(request)
            path = request.path
            if self.denied:
                return error(403, f"Permission denied on resource '{path}' (or it may not exist).")
            if request.method == "POST" and (match := _RUN.match(path)):
                return self._run(*match.groups())
            if request.method == "GET" and (match := _OPERATION.match(path)):
                return self._get_operation(*match.groups())
            if request.method == "GET" and (match := _EXECUTIONS.match(path)):
                return self._list_executions(request, *match.groups())
            if request.method == "GET" and (match := _JOB.match(path)):
                return self._get_job(*match.groups())
            return error(404, f"Method not found: {request.method} {path}")

    def _known(self, project: str, region: str, job: str) -> tuple[int, dict[str, Any]] | None:
        if project != self.project or region != self.region or job not in self.jobs:
            return error(
                404,
                f"Resource '{job}' of kind 'JOB' in region '{region}' in project "
                f"'{project}' does not exist.",
            )
        return None

    def _run(self, project: str, region: str, job: str) -> tuple[int, dict[str, Any]]:
        if missing := self._known(project, region, job):
            return missing
        created = self.tick()
        suffix = uuid.uuid4().hex[:5]
        execution = FakeExecution(
            name=f"{self.job_name(job)}/executions/{job}-{suffix}",
            job=job,
            create_time=created,
            start_time=self.tick(),
            running_count=1,
            failure_message=self.fail_next,
            polls_left=self.polls_to_finish,
            operation=f"{self.location()}/operations/{uuid.uuid4()}",
        )
        self.fail_next = None
        self.executions.append(execution)
        if execution.polls_left <= 0:
            execution.finish(self.tick(63))
        return 200, self._operation_json(execution)

    def _get_operation(self, project: str, region: str, op_id: str) -> tuple[int, dict[str, Any]]:
        name = f"projects/{project}/locations/{region}/operations/{op_id}"
        execution = next((e for e in self.executions if e.operation == name), None)
        if execution is None:
            return error(404, f"Operation {name} not found.")
        if not execution.done:
            execution.polls_left -= 1
            if execution.polls_left <= 0:
                execution.finish(self.tick(63))
        return 200, self._operation_json(execution)

    def _operation_json(self, execution: FakeExecution) -> dict[str, Any]:
        resource = {"@type": EXECUTION_TYPE, **execution.to_json()}
        body: dict[str, Any] = {"name": execution.operation, "metadata": resource}
        if not execution.done:
            return body
        body["done"] = True
        if execution.failed_count and self.failure_style == "operation-error":
            body["error"] = {"code": 9, "message": execution.failure_message}
        else:
            body["response"] = resource
        return body

    def _get_job(self, project: str, region: str, job: str) -> tuple[int, dict[str, Any]]:
        if missing := self._known(project, region, job):
            return missing
        mine = self.executions_of(job)
        body: dict[str, Any] = {
            "name": self.job_name(job),
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.job_name(job))),
            "generation": "1",
            "launchStage": "GA",
            "executionCount": len(mine),
            "template": {"taskCount": 1, "parallelism": 1, "template": {"maxRetries": 0}},
            "observedGeneration": "1",
            "reconciling": False,
        }
        if mine:
            body["latestCreatedExecution"] = {
                "name": mine[0].name,
                "createTime": rfc3339(mine[0].create_time),
            }
        return 200, body

    def _list_executions(
        self, request: Request, project: str, region: str, job: str
    ) -> tuple[int, dict[str, Any]]:
        if missing := self._known(project, region, job):
            return missing
        asked = int(request.query.get("pageSize", ["0"])[0]) or self.page_size_cap
        size = min(asked, self.page_size_cap)
        start = int(request.query.get("pageToken", ["0"])[0] or 0)
        mine = self.executions_of(job)
        page = mine[start : start + size]
        body: dict[str, Any] = {"executions": [e.to_json() for e in page]}
        if start + size < len(mine):
            body["nextPageToken"] = str(start + size)
        return 200, body


def error(code: int, message: str) -> tuple[int, dict[str, Any]]:
    """Google's JSON error format."""
    status = _STATUS_NAMES.get(code, HTTPStatus(code).phrase.upper().replace(" ", "_"))
    return code, {"error": {"code": code, "message": message, "status": status}}


def enums_as_numbers(value: Any) -> Any:
    """The same JSON with enum names replaced by their numbers."""
    if isinstance(value, list):
        return [enums_as_numbers(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: _ENUM_NUMBERS[key].get(item, item)
        if key in _ENUM_NUMBERS and isinstance(item, str)
        else enums_as_numbers(item)
        for key, item in value.items()
    }


def _handler(standin: CloudRunStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=json.loads(raw) if raw else None,
            )
            status, body = standin.handle(request)
            if "enum-encoding=int" in "".join(request.query.get("$alt", [])):
                body = enums_as_numbers(body)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextlib.contextmanager
def running_standin(standin: CloudRunStandIn | None = None) -> Iterator[CloudRunStandIn]:
    """Serve the stand-in on a free loopback port for the duration of the block."""
    state = standin or CloudRunStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
