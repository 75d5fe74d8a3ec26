import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_job_and_restores_what_looker_has(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "lookervault", "demo", "--dashboards", "10"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Demo finished" in done.stdout
    assert "backup of default succeeded" in done.stdout
    assert list(cwd.iterdir()) == []
