"""podman's Docker-compatible API for testcontainers, for one test session
(../shared/container/README.md, "From tests, through testcontainers").

These machines have no Docker engine and reach no image registry: `podman system service`
serves the Docker API on a socket of the session, testcontainers finds it through DOCKER_HOST,
and Ryuk (its reaper, an image that cannot be pulled here) stays off; each test removes its
own containers. The service is stopped by its PID when the session ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import DockerException

from lookervault.local.emulator import stop_process

INSTALL = "apt-get install -y podman runc debootstrap"


def _wait_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"podman system service exited with {process.returncode}: {log.read_text()}"
            )
        try:
            client = docker.DockerClient(base_url=url, timeout=5)  # asks for the API version
        except DockerException:
            time.sleep(0.1)
            continue
        client.close()
        return
    pytest.fail(f"podman system service did not answer on {url} within 30 s: {log.read_text()}")


@pytest.fixture(scope="session")
def docker_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Docker API's URL, with DOCKER_HOST and TESTCONTAINERS_RYUK_DISABLED set for
    testcontainers while the session runs."""
    podman = shutil.which("podman")
    if podman is None:
        pytest.fail(
            f"podman is not installed: `{INSTALL}` (CI's .ci/run does), then `make test-image`"
        )
    conf = os.environ.get("CONTAINERS_CONF", "")
    if not Path(conf).is_file():
        pytest.fail(
            "CONTAINERS_CONF must name ../shared/container/containers.conf (runc, lower ulimits): "
            "run these tests with `make test-image`, which sets it"
        )
    folder = tmp_path_factory.mktemp("podman")
    url = f"unix://{folder / 'podman.sock'}"
    log = folder / "service.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [podman, "system", "service", "--time=0", url], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_answering(url, process, log)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DOCKER_HOST", url)
            patch.setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
            yield url
    finally:
        stop_process(process, grace_s=10)
