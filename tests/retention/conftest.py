"""Retention fixtures: real snapshot uploads, and the real handler under functions-framework."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
import pytest
import requests

from lookervault.config import load_settings
from lookervault.local import function as local_function
from lookervault.local.function import FUNCTIONS_DIR
from lookervault.local.sample import make_sample_db
from lookervault.snapshot.upload import upload_snapshot
from tests.support.gcs_emulator import Emulator
from tests.support.structured_logs import LABELS, parse_entries

ROOT = Path(__file__).resolve().parents[2]
POLICY_ENV = {"LOOKERVAULT_RETENTION_MIN_COUNT": "3", "LOOKERVAULT_RETENTION_MAX_AGE_DAYS": "0"}


@pytest.fixture
def looker_db(tmp_path: Path) -> Path:
    return make_sample_db(tmp_path / "looker.db", 16 * 1024)


Uploader = Callable[..., list[str]]


def _clock(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
def upload_snapshots(gcs_client: storage.Client, looker_db: Path) -> Uploader:
    """Upload `count` real snapshots, a minute apart in name, oldest first; their names."""

    def upload(bucket: str, count: int, instance: str = "default") -> list[str]:
        settings = load_settings(bucket=bucket, instance=instance)
        start = datetime.now(UTC) - timedelta(hours=2)
        names = []
        for index in range(count):
            moment = start + timedelta(minutes=index)
            result = upload_snapshot(gcs_client, settings, looker_db, now=_clock(moment))
            names.append(result.name)
        return names

    return upload


def object_names(client: storage.Client, bucket: str) -> list[str]:
    return sorted(blob.name for blob in client.list_blobs(bucket))


@dataclass
class FunctionServer:
    url: str
    stdout: Path

    def post(self, headers: Mapping[str, str], body: bytes) -> requests.Response:
        return requests.post(self.url, headers=dict(headers), data=body, timeout=60)

    def entries(self) -> list[dict[str, Any]]:
        """Every line the function printed so far, each a structured entry."""
        return parse_entries(self.stdout.read_text(encoding="utf-8"))

    def entries_for(self, event_id: str) -> list[dict[str, Any]]:
        return [entry for entry in self.entries() if entry[LABELS].get("event_id") == event_id]


@contextlib.contextmanager
def serve_function(
    emulator_url: str,
    log_dir: Path,
    source_dir: Path = FUNCTIONS_DIR,
    executable: Path | None = None,
    extra_env: Mapping[str, str] = POLICY_ENV,
) -> Iterator[FunctionServer]:
    """The real handler served by functions-framework in a subprocess, talking to `emulator_url`."""
    with local_function.serve_function(
        emulator_url, log_dir, extra_env, source_dir, executable
    ) as (url, stdout):
        yield FunctionServer(url, stdout)


@pytest.fixture(scope="module")
def function_server(
    gcs_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionServer]:
    """One server per test module (policy: min_count=3, max_age_days=0); tests use own buckets."""
    with serve_function(gcs_emulator.url, tmp_path_factory.mktemp("function")) as server:
        yield server
