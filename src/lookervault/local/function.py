"""The retention Cloud Function served locally, for `lookervault demo` and the tests: the real
handler (`functions/main.py` of the repository) under functions-framework, as a process on a
free loopback port, and the CloudEvent that Eventarc would send it for a new object.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from lookervault.errors import UsageError
from lookervault.local.emulator import stop_process
from lookervault.retention.function import FINALIZED

FUNCTIONS_DIR = Path(__file__).resolve().parents[3] / "functions"
"""The repository's `functions/` folder (this package sits in `src/lookervault/local/`)."""
OWN_SETTINGS = ("LOOKERVAULT_", "GOOGLE_", "STORAGE_EMULATOR_HOST")


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], deadline_s: float) -> None:
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
    settings: Mapping[str, str],
    source_dir: Path = FUNCTIONS_DIR,
    executable: Path | None = None,
) -> Iterator[tuple[str, Path]]:
    """Serve the handler in `source_dir` against the emulator at `emulator_url`, configured
    only by `settings` (LOOKERVAULT_RETENTION_*, ...). Yields its URL and the file its stdout
    (one structured log entry per line) goes to; the process is stopped on exit."""
    if not (source_dir / "main.py").is_file():
        raise UsageError(
            f"The retention function's handler is not at {source_dir / 'main.py'}.",
            "Run this from a source checkout of LookerVault (`make demo`).",
        )
    framework = executable or Path(sys.executable).parent / "functions-framework"
    if not framework.exists():
        raise UsageError(
            "functions-framework is not installed.",
            "Install it with `pip install 'lookervault[function]'` (make demo does this).",
        )
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
    environment |= {
        "STORAGE_EMULATOR_HOST": emulator_url,
        "GOOGLE_CLOUD_PROJECT": "lookervault-local",
        "LOOKERVAULT_PROJECT": "lookervault-local",  # as infra/function.tf sets it
        "LOG_EXECUTION_ID": "true",  # as Cloud Functions sets it (docs/retention.md)
        **settings,
    }
    stdout = log_dir / f"function-{port}.out"
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
        _wait_listening(port, process, deadline_s=60)
        yield f"http://127.0.0.1:{port}", stdout
    finally:
        stop_process(process, grace_s=10)
