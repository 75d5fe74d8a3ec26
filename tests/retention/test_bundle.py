"""The deployable bundle installs into a fresh virtualenv, exactly the versions of its lock
(locks/function.txt), and handles an event."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import google.cloud.storage as storage

from lookervault.local.function import finalize_event
from tests.retention.conftest import ROOT, Uploader, object_names, serve_function
from tests.support.gcs_emulator import Emulator
from tests.support.locks import MARKER_ENVIRONMENT, frozen, locked

LOCK = ROOT / "locks" / "function.txt"


def test_bundle_installs_in_a_fresh_venv_and_handles_an_event(
    gcs_client: storage.Client,
    bucket: storage.Bucket,
    upload_snapshots: Uploader,
    emulator_env: Emulator,
    tmp_path: Path,
) -> None:
    bundle = tmp_path / "bundle"
    subprocess.run(
        [sys.executable, str(ROOT / "functions" / "build_bundle.py"), str(bundle)], check=True
    )
    assert sorted(path.name for path in bundle.iterdir()) == [
        "lookervault",
        "main.py",
        "requirements.txt",
    ]
    assert (bundle / "lookervault" / "retention" / "policy.py").is_file()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(bundle / "requirements.txt"),
        ],
        check=True,
    )
    python = str(venv / "bin" / "python")
    probe = subprocess.run([python, "-c", "import lookervault"], capture_output=True, cwd=tmp_path)
    assert probe.returncode != 0  # the venv is fresh: the package comes only from the bundle
    assert (bundle / "requirements.txt").read_bytes() == LOCK.read_bytes()
    freeze = subprocess.run(
        [python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    environment = subprocess.run(
        [python, "-c", MARKER_ENVIRONMENT], capture_output=True, text=True, check=True
    ).stdout
    assert frozen(freeze) == locked(LOCK, environment)
    assert "textual" not in frozen(freeze)

    names = upload_snapshots(bucket.name, 5)
    newest = gcs_client.bucket(bucket.name).get_blob(names[-1])
    headers, body = finalize_event(bucket.name, names[-1], newest.generation, "bundle")
    with serve_function(
        emulator_env.url, tmp_path, bundle, venv / "bin" / "functions-framework"
    ) as server:
        assert server.post(headers, body).status_code == 200
        [summary] = [e for e in server.entries_for("bundle") if "retention_summary" in e]

    assert summary["retention_summary"]["deleted"] == 2
    assert object_names(gcs_client, bucket.name) == sorted(names[-3:])
