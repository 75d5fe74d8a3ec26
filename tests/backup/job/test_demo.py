import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import assert_no_traceback


def test_demo_runs_the_job_and_downloads_what_looker_has_whatever_the_users_settings(
    tmp_path: Path,
) -> None:
    """The user's own LOOKERVAULT_* settings (another instance, another prefix, even an
    invalid value) play no part in the demo."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    users_settings = {
        "LOOKERVAULT_INSTANCE": "emea",
        "LOOKERVAULT_PREFIX": "elsewhere/",
        "LOOKERVAULT_COMPRESSION_LEVEL": "12",
    }
    done = subprocess.run(
        [sys.executable, "-m", "lookervault", "demo", "--dashboards", "10"],
        env={**os.environ, **users_settings},
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd,
    )
    assert_no_traceback(done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Demo finished" in done.stdout
    assert "backup of default succeeded" in done.stdout
    assert list(cwd.iterdir()) == []
