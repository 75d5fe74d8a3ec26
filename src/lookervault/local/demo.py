"""`lookervault demo`: the whole backup on local stand-ins, with no cloud account.

A local Cloud Storage emulator and the Looker API stand-in start on loopback; the real Cloud
Run job entry point runs as a process against them; then the snapshot it made is listed,
downloaded and verified like any other. Everything lives in a temporary folder, removed after.
The user's own LOOKERVAULT_* and LOOKERSDK_* settings play no part: the demo brings its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import google.cloud.storage as storage

from lookervault import dbfile
from lookervault.config import load_settings
from lookervault.errors import RuntimeFailure
from lookervault.local.emulator import local_gcs
from lookervault.local.standin import SeedSize, StandIn
from lookervault.snapshot import service
from lookervault.snapshot.refs import Resolved

BUCKET = "lookervault-demo"
Say = Callable[[str], None]


OWN_SETTINGS = ("LOOKERVAULT_", "LOOKERSDK_")


@contextlib.contextmanager
def _own_settings_only() -> Iterator[None]:
    """Hide the user's LOOKERVAULT_* and LOOKERSDK_* variables while the demo runs."""
    hidden = {k: v for k, v in os.environ.items() if k.startswith(OWN_SETTINGS)}
    for key in hidden:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(hidden)


def _job_environment(standin: StandIn, emulator: str, scratch: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STORAGE_EMULATOR_HOST": emulator,
        "LOOKERVAULT_BUCKET": BUCKET,
        "LOOKERVAULT_CONFIG": str(scratch / "lookervault.toml"),
        "LOOKERVAULT_WORK_DIR": str(scratch / "work"),
        "XDG_STATE_HOME": str(scratch / "state"),
        "LOOKERSDK_BASE_URL": standin.base_url,
        "LOOKERSDK_CLIENT_ID": standin.client_id,
        "LOOKERSDK_CLIENT_SECRET": standin.client_secret,
        "LOOKERSDK_VERIFY_SSL": "false",
        "CLOUD_RUN_JOB": "lookervault-backup",
        "CLOUD_RUN_EXECUTION": "lookervault-backup-demo1",
        "CLOUD_RUN_TASK_INDEX": "0",
        "CLOUD_RUN_TASK_COUNT": "1",
        "CLOUD_RUN_TASK_ATTEMPT": "0",
    }


def _run_job(env: dict[str, str], say: Say) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lookervault.backup.job"], env=env, capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        entry = json.loads(line)
        say(f"  job log [{entry['severity']}] {entry['message']}")
    if done.returncode != 0:
        raise RuntimeFailure(
            f"The backup job exited with {done.returncode}.", done.stderr.strip() or None
        )


def _counts(db: Path) -> dict[str, int]:
    connection = dbfile.connect(db, "ro")
    try:
        rows = connection.execute("select type, count(*) from content group by type")
        return dict(rows.fetchall())
    finally:
        connection.close()


def run_demo(say: Say, dashboards: int = 40) -> None:
    with _own_settings_only(), tempfile.TemporaryDirectory(prefix="lookervault-demo-") as folder:
        scratch = Path(folder)
        (scratch / "lookervault.toml").write_text("")
        (scratch / "work").mkdir()
        with local_gcs() as emulator, StandIn(seed=SeedSize.scaled(dashboards)) as standin:
            say(f"Cloud Storage emulator on {emulator}; Looker API stand-in on {standin.base_url}")
            env = _job_environment(standin, emulator, scratch)
            os.environ.update(
                STORAGE_EMULATOR_HOST=emulator, LOOKERVAULT_CONFIG=env["LOOKERVAULT_CONFIG"]
            )
            client = storage.Client(project="lookervault-demo")
            client.create_bucket(BUCKET)
            say("Running the backup job (python -m lookervault.backup.job) as Cloud Run would:")
            _run_job(env, say)

            settings = load_settings(bucket=BUCKET, state_dir=scratch / "state")
            listed, _ = service.list_indexed(client, settings, use_cache=False)
            for item in listed:
                snap = item.snapshot
                say(f"  #{item.index} {snap.gcs_path(BUCKET)} ({snap.size_bytes:,} bytes)")
            newest = listed[0].snapshot
            destination = scratch / "looker.db"
            result = service.download(client, Resolved(BUCKET, newest), destination, False)
            say(
                f"Downloaded and verified {result.raw.size:,} bytes "
                "(CRC32C, SHA-256, size, SQLite quick_check)"
            )
            downloaded = _counts(destination)
            expected = standin.counts()
            say("Content in the downloaded looker.db:")
            for kind in sorted(expected):
                say(f"  {kind:16} {downloaded.get(kind, 0):6}   (Looker has {expected[kind]})")
            if downloaded != expected:
                raise RuntimeFailure("The downloaded database does not match the Looker content.")
            say("Demo finished: the snapshot round trip is complete and verified.")
