"""The job image itself, built from job/Dockerfile (`make image`) and run through testcontainers
on podman's Docker API the way Cloud Run runs it: read-only root file system, its own
unprivileged user, only the job's IAM permissions (the proxy refuses the rest), against the
Looker stand-in and the GCS emulator on 127.0.0.1. Run by `make test-image` (CI does); it needs
podman, so plain `make test` leaves it out."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import docker
import google.cloud.storage as storage
import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import LogMessageWaitStrategy

from lookervault.local.standin import StandIn
from lookervault.snapshot.upload import META
from tests.backup.job.conftest import task_env
from tests.deploy.infra_config import role_permissions
from tests.deploy.permissions import allowed, grant_only, refused
from tests.support.fault_proxy import FaultProxy
from tests.support.looker_fixtures import sdk_env
from tests.support.podman import docker_api  # noqa: F401
from tests.support.structured_logs import parse_entries

pytestmark = pytest.mark.image

IMAGE = os.environ.get("LOOKERVAULT_JOB_IMAGE", "localhost/lookervault-job:test")
JOB_UID = 10001
TOLERATED = {"storage.buckets.get"}  # google-cloud-storage's telemetry lookup, see test_permissions


@pytest.fixture(scope="module")
def image(docker_api: str) -> str:  # noqa: F811
    client = docker.DockerClient(base_url=docker_api)
    try:
        client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        pytest.fail(f"{IMAGE} does not exist: build it with `make image`")
    finally:
        client.close()
    return IMAGE


def process_facts(pid: int) -> tuple[str, str, str]:
    """The job process as the kernel sees it: its status, its mounts, its command line."""
    proc = Path("/proc") / str(pid)
    cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return (proc / "status").read_text(), (proc / "mountinfo").read_text(), cmdline


def root_mount_options(mountinfo: str) -> set[str]:
    """Options of the mount at / (mountinfo fields: id, parent, dev, root, mount point, options)."""
    for line in mountinfo.splitlines():
        fields = line.split()
        if fields[4] == "/":
            return set(fields[5].split(","))
    raise AssertionError("no root mount in mountinfo")


def job_container(image: str, bucket: str, standin: StandIn) -> DockerContainer:
    """The image as Cloud Run runs a task: its environment, read-only, /tmp the only disk."""
    environment = {
        **task_env(),
        **sdk_env(standin),
        "LOOKERVAULT_WORK_DIR": "/tmp",
        "LOOKERVAULT_BUCKET": bucket,
        "STORAGE_EMULATOR_HOST": os.environ["STORAGE_EMULATOR_HOST"],
        "GOOGLE_CLOUD_PROJECT": os.environ["GOOGLE_CLOUD_PROJECT"],
    }
    return (
        DockerContainer(image)
        .with_envs(**environment)
        .with_kwargs(network_mode="host", read_only=True)
        .with_tmpfs_mount("/tmp", "rw,size=512m,mode=1777")  # Docker's tmpfs options
    )


def test_the_image_makes_a_verified_snapshot_as_an_unprivileged_read_only_job(
    image: str,
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    fault_proxy: FaultProxy,
    standin: StandIn,
    tmp_path: Path,
) -> None:
    grant_only(fault_proxy, role_permissions("job_writer"))
    upload = fault_proxy.hold(method="PUT", query="upload_id")
    try:
        with job_container(image, bucket.name, standin) as container:
            job = container.get_wrapped_container()
            deadline = time.monotonic() + 180
            while not upload.held.wait(0.5):
                job.reload()
                assert job.status == "running", (
                    f"the job ended before uploading: {container.get_logs()}"
                )
                assert time.monotonic() < deadline, "the job never started its upload"
            status, mountinfo, cmdline = process_facts(job.attrs["State"]["Pid"])
            upload.released.set()
            LogMessageWaitStrategy("task_summary").with_startup_timeout(240).wait_until_ready(
                container
            )
            code = container.wait()
            out, err = container.get_logs()
    finally:
        upload.released.set()
    stdout, stderr = out.decode(), err.decode()

    assert code == 0, stdout + stderr
    assert "lookervault.backup.job" in cmdline
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    assert uids == [str(JOB_UID)] * 4, status
    assert "ro" in root_mount_options(mountinfo)

    entries = parse_entries(stdout)
    (summary,) = [entry for entry in entries if "task_summary" in entry]
    assert summary["task_summary"]["failed"] == []
    (created,) = [entry for entry in entries if "audit" in entry]
    assert created["audit"]["action"] == "snapshot.created"
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
