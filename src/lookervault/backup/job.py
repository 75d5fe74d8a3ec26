"""The Cloud Run backup job: extract -> verified upload, per Looker instance of this task.

Run as `python -m lookervault.backup.job` (the container's entry point). Task `CLOUD_RUN_TASK_INDEX`
of `CLOUD_RUN_TASK_COUNT` backs up every COUNT-th configured instance starting at INDEX. Every
line on stdout is a Cloud Logging structured entry (`lookervault.logs`). The exit code is 0 only
when every instance of the task has a verified snapshot; one instance failing does not stop the
others.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import google.cloud.storage as storage
from looker_sdk.rtl.api_settings import ApiSettings

from lookervault import logs
from lookervault.audit import emit_audit
from lookervault.config import Settings, load_settings
from lookervault.errors import EXIT_FAILURE, LookerVaultError
from lookervault.gcs import make_client
from lookervault.instances import LookerInstance
from lookervault.looker.client import load_settings as looker_ini_settings
from lookervault.looker.credentials import sdk_settings
from lookervault.looker.extract import extract
from lookervault.snapshot import service

log = logging.getLogger("lookervault.backup.job")


@dataclass(frozen=True)
class Task:
    """What Cloud Run tells a task about itself."""

    job: str
    execution: str
    index: int
    count: int
    attempt: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Task:
        def number(key: str, default: int) -> int:
            try:
                return int(environ.get(key, default))
            except ValueError:
                return default

        return cls(
            job=environ.get("CLOUD_RUN_JOB", "local"),
            execution=environ.get("CLOUD_RUN_EXECUTION", "local"),
            index=number("CLOUD_RUN_TASK_INDEX", 0),
            count=max(number("CLOUD_RUN_TASK_COUNT", 1), 1),
            attempt=number("CLOUD_RUN_TASK_ATTEMPT", 0),
        )

    @property
    def actor(self) -> str:
        return f"cloud-run-job:{self.job}/{self.execution}/task-{self.index}"

    def labels(self) -> dict[str, str]:
        """On every entry of the task; entries about one instance add `instance`."""
        return {
            "job": self.job,
            "execution": self.execution,
            "task_index": str(self.index),
            "attempt": str(self.attempt),
        }


def share(instances: list[LookerInstance], task: Task) -> list[LookerInstance]:
    return instances[task.index :: task.count]


def task_plan(settings: Settings, task: Task) -> list[tuple[str, LookerInstance | None]]:
    """(name, instance) pairs this task backs up. Without configured instances there is one,
    `settings.instance`, reached through LOOKERSDK_* / looker.ini, and task 0 backs it up."""
    if settings.instances:
        return [(instance.name, instance) for instance in share(settings.instances, task)]
    return [(settings.instance, None)] if task.index == 0 else []


def backup_instance(
    settings: Settings,
    instance: str,
    sdk: ApiSettings,
    task: Task,
    client: storage.Client,
) -> dict[str, Any]:
    """Extract and upload one instance in a private working directory, removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=f"lookervault-{instance}-", dir=settings.work_dir))
    started = time.monotonic()
    try:
        db = workdir / "looker.db"
        extraction = extract(db, workers=settings.workers, settings=sdk)
        extracted = time.monotonic()
        metadata = {
            "instance": instance,
            "looker-host": extraction.looker_host,
            "looker-version": extraction.looker_version,
            "counts": json.dumps(extraction.counts, separators=(",", ":"), sort_keys=True),
            "extract-started": extraction.started_at.isoformat(timespec="seconds"),
            "extract-finished": extraction.finished_at.isoformat(timespec="seconds"),
            "job": task.job,
            "execution": task.execution,
            "task-index": str(task.index),
            "attempt": str(task.attempt),
        }
        instance_settings = settings.model_copy(update={"instance": instance})
        result = service.upload(
            client,
            instance_settings,
            db,
            emit_audit,
            task.actor,
            extra_metadata=metadata,
            work_dir=workdir,
            private_source=True,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    finished = time.monotonic()
    return {
        "instance": instance,
        "gcs_path": result.gcs_path,
        "generation": result.generation,
        "counts": extraction.counts,
        "items": sum(extraction.counts.values()),
        "raw_size_bytes": result.raw.size,
        "compressed_size_bytes": result.compressed_size,
        "crc32c": result.compressed_crc32c,
        "extract_seconds": round(extracted - started, 3),
        "upload_seconds": round(finished - extracted, 3),
        "looker_version": extraction.looker_version,
        "requests": extraction.requests,
        "retries": extraction.retries,
    }


class Terminated(SystemExit):
    """SIGTERM: unwinding (so working files are removed) to exit 128 + 15."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    """Cloud Run sends SIGTERM before killing a task: unwind so working files are removed."""
    raise Terminated(128 + signum)


def run_task(environ: Mapping[str, str] = os.environ) -> int:
    """Back up this task's instances; 0 only if every one has a verified snapshot.

    Exit codes (docs/job.md): 0 all backed up; 1 an instance failed, or an unexpected error;
    2 invalid configuration; 143 stopped by SIGTERM. Every outcome is a structured entry.
    """
    task = Task.from_environ(environ)
    signal.signal(signal.SIGTERM, _terminate)
    logs.setup(task.labels())
    try:
        return _run_task(task)
    except Terminated as exc:
        log.error("backup task stopped by SIGTERM; its working files were removed")
        return int(exc.code or 1)
    except Exception as exc:
        log.error("backup task failed unexpectedly: %s: %s", type(exc).__name__, exc)
        return EXIT_FAILURE


def _run_task(task: Task) -> int:
    started_at = datetime.now(UTC)
    try:
        settings = load_settings()
        settings.require_bucket()
        plan = task_plan(settings, task)
        client = make_client(settings.project) if plan else None
    except LookerVaultError as exc:
        log.error("backup job cannot start: %s", exc.message, extra=logs.fields(hint=exc.hint))
        return exc.exit_code
    log.info(
        "backup task %d/%d: %d instance(s)",
        task.index,
        task.count,
        len(plan),
        extra=logs.fields(instances=[name for name, _ in plan]),
    )
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    for name, instance in plan:
        with logs.labels(instance=name):
            summary = _backup_logged(settings, name, instance, task, client)
        if summary is None:
            failed.append(name)
        else:
            results.append(summary)
    log.log(
        logging.ERROR if failed else logging.INFO,
        "backup task %d finished: %d succeeded, %d failed",
        task.index,
        len(results),
        len(failed),
        extra=logs.fields(
            task_summary={
                "succeeded": [r["instance"] for r in results],
                "failed": failed,
                "snapshots": [r["gcs_path"] for r in results],
                "raw_size_bytes": sum(r["raw_size_bytes"] for r in results),
                "compressed_size_bytes": sum(r["compressed_size_bytes"] or 0 for r in results),
                "items": sum(r["items"] for r in results),
                "seconds": round((datetime.now(UTC) - started_at).total_seconds(), 3),
            }
        ),
    )
    return EXIT_FAILURE if failed else 0


def _backup_logged(
    settings: Settings,
    name: str,
    instance: LookerInstance | None,
    task: Task,
    client: storage.Client,
) -> dict[str, Any] | None:
    """Back up one instance and log the outcome; its summary, or None if it failed."""
    try:
        sdk = sdk_settings(instance) if instance else looker_ini_settings()
        summary = backup_instance(settings, name, sdk, task, client)
    except LookerVaultError as exc:
        log.error("backup of %s failed: %s", name, exc.message, extra=logs.fields(hint=exc.hint))
        return None
    except Exception as exc:
        log.error("backup of %s failed: %s: %s", name, type(exc).__name__, exc)
        return None
    log.info(
        "backup of %s succeeded: %s", name, summary["gcs_path"], extra=logs.fields(summary=summary)
    )
    return summary


def main() -> None:
    sys.exit(run_task())


if __name__ == "__main__":
    main()
