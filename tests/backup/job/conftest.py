"""Run the Cloud Run job's real entry point as a process, as a task would be run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lookervault.local.standin import SeedSize, StandIn
from tests.support.fault_proxy import fault_proxy  # noqa: F401
from tests.support.looker_fixtures import sdk_env, standin_factory  # noqa: F401

SMALL = SeedSize.scaled(12)


@dataclass
class JobRun:
    code: int
    stdout: str
    stderr: str

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines()]


def job_command() -> list[str]:
    return [sys.executable, "-m", "lookervault.backup.job"]


def task_env(index: int = 0, count: int = 1, attempt: int = 0) -> dict[str, str]:
    return {
        "CLOUD_RUN_JOB": "lookervault-backup",
        "CLOUD_RUN_EXECUTION": "lookervault-backup-abc12",
        "CLOUD_RUN_TASK_INDEX": str(index),
        "CLOUD_RUN_TASK_COUNT": str(count),
        "CLOUD_RUN_TASK_ATTEMPT": str(attempt),
    }


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def base_env(bucket: Any, work_dir: Path) -> dict[str, str]:
    """The environment a task sees, minus the Looker part; read when the job starts."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("LOOKERSDK_")},
        "LOOKERVAULT_WORK_DIR": str(work_dir),
        "LOOKERVAULT_WORKERS": "4",
    }


RunJob = Callable[..., JobRun]


@pytest.fixture
def run_job(base_env: dict[str, str]) -> RunJob:
    def run(env: dict[str, str], **task: int) -> JobRun:
        done = subprocess.run(
            job_command(),
            env={**base_env, **task_env(**task), **env},
            capture_output=True,
            text=True,
            timeout=240,
        )
        return JobRun(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def standin(standin_factory: Callable[..., StandIn]) -> StandIn:  # noqa: F811
    return standin_factory(seed=SMALL)
