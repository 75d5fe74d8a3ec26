"""Retention fixtures: real snapshot uploads, and the real handler under functions-framework."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
import pytest
import requests

from lookervault.config import load_settings
from lookervault.local.emulator import stop_process
from lookervault.local.sample import make_sample_db
from lookervault.retention.function import FINALIZED
from lookervault.snapshot.upload import upload_snapshot
from tests.support.gcs_emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = ROOT / "functions"
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


def finalize_event(
    bucket: str, name: str, generation: int | str, event_id: str | None = None
) -> tuple[dict[str, str], bytes]:
    """A binary-mode CloudEvent as Eventarc delivers it: ce-* headers plus the object JSON."""
    headers = {
        "ce-id": event_id or uuid.uuid4().hex,
        "ce-specversion": "1.0",
        "ce-source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        "ce-type": FINALIZED,
        "ce-subject": f"objects/{name}",
        "ce-time": datetime.now(UTC).isoformat(),
        "content-type": "application/json",
    }
    body = {"bucket": bucket, "name": name, "generation": str(generation), "size": "1"}
    return headers, json.dumps(body).encode()


@dataclass
class FunctionServer:
    url: str
    stdout: Path

    def post(self, headers: Mapping[str, str], body: bytes) -> requests.Response:
        return requests.post(self.url, headers=dict(headers), data=body, timeout=60)

    def entries(self) -> list[dict[str, Any]]:
        """Every structured log line the function printed so far."""
        lines = self.stdout.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def entries_for(self, event_id: str) -> list[dict[str, Any]]:
        return [
            entry
            for entry in self.entries()
            if entry.get("logging.googleapis.com/labels", {}).get("event_id") == event_id
        ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"functions-framework exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError("functions-framework did not start listening")


@contextlib.contextmanager
def serve_function(
    emulator_url: str,
    log_dir: Path,
    source_dir: Path = FUNCTIONS_DIR,
    executable: Path | None = None,
    extra_env: Mapping[str, str] = POLICY_ENV,
) -> Iterator[FunctionServer]:
    """The real handler served by functions-framework in a subprocess, talking to `emulator_url`."""
    port = _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LOOKERVAULT_", "GOOGLE_", "STORAGE_EMULATOR_HOST"))
    }
    environment.update(
        {
            "STORAGE_EMULATOR_HOST": emulator_url,
            "GOOGLE_CLOUD_PROJECT": "test-project",
            **extra_env,
        }
    )
    stdout = log_dir / f"function-{port}.out"
    framework = executable or Path(sys.executable).parent / "functions-framework"
    command = [
        str(framework),
        "--target=on_object_finalized",
        "--signature-type=cloudevent",
        "--source=main.py",
        "--host=127.0.0.1",
        f"--port={port}",
    ]
    with stdout.open("wb") as out, (log_dir / f"function-{port}.err").open("wb") as err:
        process = subprocess.Popen(command, cwd=source_dir, env=environment, stdout=out, stderr=err)
    try:
        _wait_listening(port, process)
        yield FunctionServer(f"http://127.0.0.1:{port}", stdout)
    finally:
        stop_process(process, grace_s=10)


@pytest.fixture(scope="module")
def function_server(
    gcs_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionServer]:
    """One server per test module (policy: min_count=3, max_age_days=0); tests use own buckets."""
    with serve_function(gcs_emulator.url, tmp_path_factory.mktemp("function")) as server:
        yield server
