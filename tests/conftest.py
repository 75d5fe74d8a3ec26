"""Fixtures shared by every test: the GCS emulator, a fresh bucket, an isolated environment."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import storage

from tests.support.gcs_emulator import Emulator, binary_emulator


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[Emulator]:
    with binary_emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's configuration, state or credentials."""
    for key in list(os.environ):
        if key.startswith(("LOOKERVAULT_", "LOOKERSDK_", "CLOUD_RUN_", "GOOGLE_")):
            monkeypatch.delenv(key)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("LOOKERVAULT_CONFIG", str(tmp_path / "lookervault.toml"))
    (tmp_path / "lookervault.toml").write_text("")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def emulator_env(gcs_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """Point the google client (in this process and in children) at the emulator."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator.url)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    return gcs_emulator


@pytest.fixture
def gcs_client(emulator_env: Emulator) -> storage.Client:
    return storage.Client(project="test-project")


@pytest.fixture
def bucket(gcs_client: storage.Client, monkeypatch: pytest.MonkeyPatch) -> storage.Bucket:
    """A fresh, empty bucket per test, configured as LookerVault's bucket."""
    created = gcs_client.create_bucket(f"lv-test-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("LOOKERVAULT_BUCKET", created.name)
    return created
