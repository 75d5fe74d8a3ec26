"""The job image itself, built from job/Dockerfile (`make image`) and run by podman the way Cloud
Run runs it: read-only root file system, its own unprivileged user, only the job's IAM
permissions (the proxy refuses the rest), against the Looker stand-in and the GCS emulator on
127.0.0.1. Run by `make test-image` (CI does); it needs podman, so plain `make test` leaves it
out."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import google.cloud.storage as storage
import pytest

from lookervault.local.standin import StandIn
from lookervault.snapshot.upload import META
from tests.backup.job.conftest import task_env
from tests.deploy.infra_config import role_permissions
from tests.deploy.permissions import allowed, grant_only, refused
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import sdk_env

pytestmark = pytest.mark.image

IMAGE = os.environ.get("LOOKERVAULT_JOB_IMAGE", "localhost/lookervault-job:test")
JOB_UID = 10001
TOLERATED = {"storage.buckets.get"}  # google-cloud-storage's telemetry lookup, see test_permissions


@pytest.fixture(scope="module")
def podman() -> str:
    path = shutil.which("podman")
    if path is None:
        pytest.fail("podman is not installed: apt-get install -y podman runc debootstrap")
    if subprocess.run([path, "image", "exists", IMAGE], check=False).returncode != 0:
        pytest.fail(f"{IMAGE} does not exist: build it with `make image`")
    return path


def process_facts(podman: str, container: str) -> tuple[str, str, str]:
    """The job process as the kernel sees it: its status, its mounts, its command line."""
    pid = subprocess.run(
        [podman, "inspect", "--format", "{{.State.Pid}}", container],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    proc = Path("/proc") / pid
    cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return (proc / "status").read_text(), (proc / "mountinfo").read_text(), cmdline


def root_mount_options(mountinfo: str) -> set[str]:
    """Options of the mount at / (mountinfo fields: id, parent, dev, root, mount point, options)."""
    for line in mountinfo.splitlines():
        fields = line.split()
        if fields[4] == "/":
            return set(fields[5].split(","))
    raise AssertionError("no root mount in mountinfo")


def test_the_image_makes_a_verified_snapshot_as_an_unprivileged_read_only_job(
    podman: str,
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    standin: StandIn,
    tmp_path: Path,
) -> None:
    grant_only(fault_proxy, role_permissions("job_writer"))
    upload = fault_proxy.hold(method="PUT", query="upload_id")
    environment = {**os.environ, **task_env(), **sdk_env(standin)}
    passed = [*task_env(), *sdk_env(standin), "STORAGE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT"]
    container = f"lookervault-job-test-{uuid.uuid4().hex[:8]}"
    command = [
        podman, "run", "--name", container, "--network", "host",
        "--read-only", "--tmpfs", "/tmp:rw,size=512m,mode=1777",
        "-e", "LOOKERVAULT_WORK_DIR=/tmp", "-e", f"LOOKERVAULT_BUCKET={bucket.name}",
        *[flag for name in passed for flag in ("-e", name)],
        IMAGE,
    ]  # fmt: skip
    job = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 180
        while not upload.held.wait(0.5):
            assert job.poll() is None, f"the job exited before uploading: {job.communicate()}"
            assert time.monotonic() < deadline, "the job never started its upload"
        status, mountinfo, cmdline = process_facts(podman, container)
        upload.released.set()
        stdout, stderr = job.communicate(timeout=240)
    finally:
        upload.released.set()
        if job.poll() is None:
            job.kill()
            job.communicate()
        subprocess.run([podman, "rm", "--force", container], check=False, capture_output=True)

    assert job.returncode == 0, stdout + stderr
    assert "lookervault.backup.job" in cmdline
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    assert uids == [str(JOB_UID)] * 4, status
    assert "ro" in root_mount_options(mountinfo)

    lines = stdout.splitlines()
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        assert entry["severity"] and entry["message"], line
    assert standin.client_secret not in stdout + stderr

    assert "storage.objects.create" in allowed(fault_proxy.records)
    assert refused(fault_proxy.records) <= TOLERATED

    (blob,) = gcs_client.list_blobs(bucket.name, prefix="snapshots/default/")
    assert json.loads(blob.metadata[f"{META}counts"]) == standin.counts()
    restored = tmp_path / "restored.db"
    cli = str(Path(sys.executable).parent / "lookervault")
    download = subprocess.run(
        [cli, "snapshot", "download", blob.name, "--output", str(restored)],
        capture_output=True,
        text=True,
    )
    assert download.returncode == 0, download.stderr
    with contextlib.closing(sqlite3.connect(restored)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
