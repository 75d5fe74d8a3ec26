"""`python -m lookervault.local.standin` serves until interrupted."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import looker_sdk
import pytest


def test_module_serves_a_seeded_instance_until_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "lookervault.local.standin", "--port", "0"),
            *("--dashboards", "30", "--tiles", "12", "--max-concurrent", "2"),
            *("--host-url", "https://x.example"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        settings: dict[str, str] = {}
        deadline = time.monotonic() + 30
        while "Serving" not in (line := process.stdout.readline()):
            assert line and time.monotonic() < deadline, "the stand-in did not come up"
            key, _, value = line.strip().partition("=")
            settings[key] = value
        for key, value in settings.items():
            if key.startswith("LOOKERSDK_"):
                monkeypatch.setenv(key, value)
        sdk = looker_sdk.init40()
        assert (
            len(sdk.search_dashboards(deleted="false", fields="id"))
            + len(sdk.search_dashboards(deleted="true", fields="id"))
            == 30
        )
        assert sdk.get_setting(fields="host_url").host_url == "https://x.example"
        tiles = [len(sdk.dashboard(str(i)).dashboard_elements or []) for i in range(1, 31)]
        assert min(tiles) >= 6 and max(tiles) <= 19 and sum(tiles) > 30 * 11
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
