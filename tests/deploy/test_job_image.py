"""The job image itself, built from job/Dockerfile (`make image`) and run through testcontainers
on podman's Docker API the way Cloud Run runs it: read-only root file system, its own
unprivileged user, only the job's IAM permissions (the proxy refuses the rest), against the
Looker stand-in and the GCS emulator on 127.0.0.1; and it holds exactly what the job lock
(locks/job.txt) pins, so not the terminal browser. Run by `make test-image` (CI does); it needs
podman, so plain `make test` leaves it out."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import docker
import google.cloud.storage as storage
import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import LogMessageWaitStrategy

from lookervault.local.standin import StandIn
from lookervault.snapshot.upload import META
from tests.backup.job.conftest import task_env
from tests.deploy.infra_config import ROOT, role_permissions
from tests.deploy.permissions import allowed, grant_only, refused
from tests.support.fault_proxy import FaultProxy
from tests.support.locks import MARKER_ENVIRONMENT, frozen, locked
from tests.support.looker_fixtures import sdk_env
from tests.support.podman import docker_api  # noqa: F401
from tests.support.structured_logs import parse_entries

pytestmark = pytest.mark.image

IMAGE = os.environ.get("LOOKERVAULT_JOB_IMAGE", "localhost/lookervault-job:test")
JOB_UID = 10001
TOLERATED = {"storage.buckets.get"}  # google-cloud-storage's telemetry lookup, see test_permissions
JOB_LOCK = ROOT / "locks" / "job.txt"


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


def run_in(image: str, api: str, *command: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `command` in a container of the image, as its own user,
    offline."""
    client = docker.DockerClient(base_url=api)
    try:
        container = client.containers.run(
            image, command=list(command[1:]), entrypoint=[command[0]], network_mode="none",
            detach=True,
        )  # fmt: skip
        try:
            code = container.wait(timeout=120)["StatusCode"]
            out = container.logs(stdout=True, stderr=False).decode()
            err = container.logs(stdout=False, stderr=True).decode()
        finally:
            container.remove(force=True)
    finally:
        client.close()
    return code, out, err


def python_in(image: str, api: str, *arguments: str) -> str:
    code, out, err = run_in(image, api, "python", *arguments)
    assert code == 0, err
    return out


def test_the_image_holds_exactly_the_job_lock_and_no_browser(
    image: str,
    docker_api: str,  # noqa: F811
) -> None:
    """Two builds of one commit install the same versions: the lock's, whatever the index holds.
    The running job is the test after the next."""
    installed = frozen(python_in(image, docker_api, "-m", "pip", "freeze"))
    environment = python_in(image, docker_api, "-c", MARKER_ENVIRONMENT)
    built_from = python_in(
        image, docker_api, "-c", "print(open('/opt/lookervault/job.txt').read(), end='')"
    )

    assert built_from == JOB_LOCK.read_text(), "the image was built from another lock: make image"
    assert (
        installed.pop("lookervault")
        == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    )
    assert installed == locked(JOB_LOCK, environment)
    assert "textual" not in installed


def test_browse_in_the_image_says_how_to_install_the_browser(
    image: str,
    docker_api: str,  # noqa: F811
) -> None:
    """The image is an install without the `browse` extra: the command says so, exit 2."""
    code, _, err = run_in(image, docker_api, "lookervault", "snapshot", "browse")

    assert code == 2, err
    assert "pip install 'lookervault[browse]'" in err


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
