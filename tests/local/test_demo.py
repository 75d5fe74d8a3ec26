"""`make demo` tells the whole story on the stand-ins, ends with a pass line, and leaves no
process and no temporary folder behind. The user's own settings play no part in it."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psutil

from tests.support.cli import assert_no_traceback

ROOT = Path(__file__).resolve().parents[2]


def _processes_with(mark: str) -> list[str]:
    """Processes whose environment carries `mark` (every process the demo starts inherits it)."""
    found = []
    for process in psutil.process_iter(["pid", "name"]):
        try:
            if process.environ().get("DEMO_TEST_MARK") == mark:
                found.append(f"{process.info['pid']} {process.info['name']}")
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_make_demo_tells_the_whole_story_and_leaves_nothing_behind(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    mark = uuid.uuid4().hex
    users_settings = {  # a user's own configuration, even an invalid value, is not used
        "LOOKERVAULT_INSTANCE": "emea",
        "LOOKERVAULT_PREFIX": "elsewhere/",
        "LOOKERVAULT_COMPRESSION_LEVEL": "12",
        "LOOKERSDK_BASE_URL": "https://looker.example.com",
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        env={**os.environ, **users_settings, "TMPDIR": str(temporary), "DEMO_TEST_MARK": mark},
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert_no_traceback(done.stderr)
    lines = done.stdout.rstrip().splitlines()
    assert lines[-1].startswith("Demo PASSED"), lines[-1]
    steps = [line for line in lines if re.match(r"\[\d/7\] ", line)]
    assert [line[:5] for line in steps] == [f"[{n}/7]" for n in range(1, 8)]
    story = done.stdout
    assert story.count("backup of default succeeded") == 2
    assert "function log [INFO] retention default: kept 2, deleted 0" in story
    assert "$ lookervault snapshot diff 1 --db" in story
    assert re.search(r"removed +folders \d+ ", story), "the diff did not show the folder"
    assert re.search(r"changed +dashboards \d+ '.* \(broken\)' \(was ", story)
    assert "$ lookervault restore --from-snapshot 1 --yes" in story
    assert "Looker equals the backup again" in story
    assert list(temporary.iterdir()) == [], "a temporary folder was left behind"
    assert _processes_with(mark) == [], "a process the demo started is still running"


def test_keep_running_leaves_the_stand_ins_up_for_the_users_commands_until_ctrl_c(
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    mark = uuid.uuid4().hex
    env = {**os.environ, "TMPDIR": str(temporary), "DEMO_TEST_MARK": mark}
    demo = subprocess.Popen(
        [sys.executable, "-m", "lookervault", "demo", "--dashboards", "10", "--keep-running"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert demo.stdout is not None
        told = []
        for line in demo.stdout:
            told.append(line)
            if line.strip().startswith("source "):
                break
        assert any(line.startswith("Demo PASSED") for line in told), "".join(told)
        settings = Path(line.split()[1])
        exports = dict(
            shlex.split(entry.removeprefix("export "))[0].split("=", 1)
            for entry in settings.read_text().splitlines()
        )
        yours = {k: v for k, v in os.environ.items() if not k.startswith("LOOKER")} | exports

        listed = subprocess.run(
            [sys.executable, "-m", "lookervault", "snapshot", "list", "--json"],
            env=yours,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)["total_count"] == 2
    finally:
        demo.send_signal(signal.SIGINT)
        out, err = demo.communicate(timeout=60)

    assert demo.returncode == 0, out + err
    assert_no_traceback(err)
    assert list(temporary.iterdir()) == [], "a temporary folder was left behind"
    assert _processes_with(mark) == [], "a process the demo started is still running"
