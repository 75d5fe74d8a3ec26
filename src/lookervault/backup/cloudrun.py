"""`lookervault backup run/status`: the Cloud Run job, driven through the Cloud Run Admin API.

The job is triggered with `JobsClient.run_job` (a long-running operation whose metadata and
result are the Execution) and inspected with `ExecutionsClient.list_executions`, both over the
REST transport. The bucket side of `status` comes from the snapshot catalog.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.future.polling import DEFAULT_POLLING
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import run_v2

from lookervault import gcs
from lookervault.config import Settings
from lookervault.errors import ConfigError, LookerVaultError, NotFoundError, RuntimeFailure
from lookervault.snapshot import catalog
from lookervault.snapshot.naming import iso_utc

_CONDITION = run_v2.Condition.State
_CANCELLED = run_v2.Condition.ExecutionReason.CANCELLED


@dataclass(frozen=True)
class ExecutionSummary:
    """What a user wants to know about one execution of the job."""

    name: str
    state: str
    created: datetime | None
    started: datetime | None
    completed: datetime | None
    task_count: int
    succeeded_count: int
    failed_count: int
    running_count: int
    cancelled_count: int
    message: str | None
    log_uri: str

    @property
    def short_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def duration_seconds(self) -> float | None:
        if self.started is None or self.completed is None:
            return None
        return (self.completed - self.started).total_seconds()

    def to_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "execution": self.short_name,
            "state": self.state,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "completed": _iso(self.completed),
            "duration_seconds": self.duration_seconds,
            "task_count": self.task_count,
            "succeeded_count": self.succeeded_count,
            "failed_count": self.failed_count,
            "running_count": self.running_count,
            "cancelled_count": self.cancelled_count,
            "message": self.message,
            "log_uri": self.log_uri,
        }


@dataclass(frozen=True)
class BackupStatus:
    """Recent executions of the job and the newest snapshot of each instance."""

    job: str
    executions: list[ExecutionSummary]
    bucket: str | None
    latest_snapshots: list[catalog.Snapshot]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso_utc(moment)


def _state(execution: run_v2.Execution) -> str:
    """The API's verdict (the `Completed` condition), falling back on times and counts."""
    completed = next((c for c in execution.conditions if c.type_ == "Completed"), None)
    if completed is not None and completed.state == _CONDITION.CONDITION_SUCCEEDED:
        return "succeeded"
    if completed is not None and completed.state == _CONDITION.CONDITION_FAILED:
        return "cancelled" if completed.execution_reason == _CANCELLED else "failed"
    if execution.completion_time:
        if execution.failed_count:
            return "failed"
        if execution.cancelled_count:
            return "cancelled"
        return "succeeded"
    return "running" if execution.start_time else "pending"


def summarize(execution: run_v2.Execution, message: str | None = None) -> ExecutionSummary:
    """An ExecutionSummary; `message` (an operation error) wins over the condition's."""
    completed = next((c for c in execution.conditions if c.type_ == "Completed"), None)
    state = "failed" if message else _state(execution)
    return ExecutionSummary(
        name=execution.name,
        state=state,
        created=execution.create_time,
        started=execution.start_time,
        completed=execution.completion_time,
        task_count=execution.task_count,
        succeeded_count=execution.succeeded_count,
        failed_count=execution.failed_count,
        running_count=execution.running_count,
        cancelled_count=execution.cancelled_count,
        message=message or (completed.message if completed and completed.message else None),
        log_uri=execution.log_uri,
    )


def _client_options(settings: Settings) -> dict[str, Any]:
    """REST transport; a plain-http endpoint (a local stand-in) never gets real credentials."""
    options: dict[str, Any] = {"transport": "rest"}
    endpoint = settings.run_api_endpoint
    if endpoint:
        options["client_options"] = {"api_endpoint": endpoint}
        if endpoint.startswith("http://"):
            options["credentials"] = AnonymousCredentials()  # type: ignore[no-untyped-call]
    return options


def jobs_client(settings: Settings) -> run_v2.JobsClient:
    with api_errors(settings):
        return run_v2.JobsClient(**_client_options(settings))


def executions_client(settings: Settings) -> run_v2.ExecutionsClient:
    with api_errors(settings):
        return run_v2.ExecutionsClient(**_client_options(settings))


@contextlib.contextmanager
def api_errors(settings: Settings, what: str = "Cloud Run request") -> Iterator[None]:
    """Turn Cloud Run client exceptions into LookerVault errors with next steps."""
    try:
        yield
    except LookerVaultError:
        raise
    except (auth_exceptions.DefaultCredentialsError, auth_exceptions.RefreshError) as exc:
        raise ConfigError(
            "No usable Google Cloud credentials for the Cloud Run API.", gcs.NO_CREDENTIALS_HINT
        ) from exc
    except api_exceptions.NotFound as exc:
        raise NotFoundError(
            f"Cloud Run job '{settings.job}' was not found in project '{settings.project}', "
            f"region '{settings.region}'.",
            "Deploy it with Terraform (infra/), or check LOOKERVAULT_JOB, LOOKERVAULT_REGION "
            "and LOOKERVAULT_PROJECT.",
        ) from exc
    except (api_exceptions.Forbidden, api_exceptions.Unauthorized) as exc:
        raise RuntimeFailure(
            f"{what} failed: permission denied ({exc.message}).",
            "Grant your account roles/run.developer on the job (roles/run.viewer is enough "
            "for `backup status`), or use another account.",
        ) from exc
    except (requests.ConnectionError, requests.Timeout, auth_exceptions.TransportError) as exc:
        raise RuntimeFailure(
            f"{what} failed: cannot reach the Cloud Run API ({type(exc).__name__}).",
            "Check your network connection (or LOOKERVAULT_RUN_API_ENDPOINT) and retry.",
        ) from exc
    except api_exceptions.GoogleAPICallError as exc:
        raise RuntimeFailure(
            f"{what} failed: {exc.message}", "Retry; if it persists, check Cloud Run status."
        ) from exc


def run_backup(settings: Settings, wait: bool) -> ExecutionSummary:
    """Start one execution of the job; with `wait`, poll until it finishes.

    A finished execution is returned whatever its outcome (see `ensure_succeeded`); only
    trouble with the API itself raises.
    """
    name = settings.job_path()
    client = jobs_client(settings)
    with api_errors(settings, "Starting the backup job"):
        operation = client.run_job(name=name)
    if not wait:
        return summarize(operation.metadata)
    polling = DEFAULT_POLLING.with_delay(
        initial=settings.run_poll_seconds, maximum=settings.run_poll_seconds * 15
    ).with_timeout(settings.run_timeout_seconds)
    started = summarize(operation.metadata)
    with api_errors(settings, f"Waiting for execution {started.short_name}"):
        try:
            return summarize(operation.result(polling=polling))  # type: ignore[no-untyped-call]
        except concurrent.futures.TimeoutError as exc:
            raise RuntimeFailure(
                f"Execution {started.short_name} is still running after "
                f"{settings.run_timeout_seconds:g} s; it goes on without us.",
                "Follow it with `lookervault backup status`.",
            ) from exc
        except api_exceptions.GoogleAPICallError as exc:
            # The operation itself finished with an error: the execution failed. Anything
            # else (the polling request failed) is an API problem for api_errors.
            if not (operation.operation.done and operation.operation.HasField("error")):
                raise
            return summarize(operation.metadata, message=exc.message)


def ensure_succeeded(summary: ExecutionSummary) -> None:
    """Raise (exit 1) unless a waited-for execution succeeded."""
    if summary.state == "succeeded":
        return
    tasks = f"{summary.failed_count} of {summary.task_count} task(s) failed"
    detail = f": {summary.message}" if summary.message else ""
    raise RuntimeFailure(
        f"Backup execution {summary.short_name} {summary.state} ({tasks}){detail}",
        f"Read its logs: {summary.log_uri}" if summary.log_uri else "Read the job's logs.",
    )


def recent_executions(settings: Settings, limit: int) -> list[ExecutionSummary]:
    """The newest `limit` executions of the job, newest first."""
    parent = settings.job_path()
    client = executions_client(settings)
    with api_errors(settings, "Listing executions"):
        pager = client.list_executions(request={"parent": parent, "page_size": limit})
        executions = [summarize(e) for e in islice(pager, limit)]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(executions, key=lambda e: e.created or oldest, reverse=True)


def latest_snapshots(settings: Settings) -> list[catalog.Snapshot]:
    """The newest snapshot of every instance in the bucket."""
    bucket = settings.require_bucket()
    client = gcs.make_client(settings.project)
    newest: list[catalog.Snapshot] = []
    for instance in catalog.list_instances(client, bucket, settings.prefix):
        found = catalog.list_snapshots(
            client, bucket, settings.prefix, instance, settings.filename_prefix
        )
        if found:
            newest.append(found[0])
    return newest


def backup_status(settings: Settings, limit: int) -> BackupStatus:
    """Executions of the job, and the bucket's newest snapshots when a bucket is configured."""
    executions = recent_executions(settings, limit)
    snapshots = latest_snapshots(settings) if settings.bucket else []
    return BackupStatus(settings.job_path(), executions, settings.bucket, snapshots)
