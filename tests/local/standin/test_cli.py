"""`python -m lookervault.local.standin` serves until interrupted; its flags choose the instance."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import looker_sdk
import pytest

from lookervault.local.standin import SeedSize
from lookervault.local.standin.__main__ import standin_for
from lookervault.local.standin.sdk import StandInSettings


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


def test_flags_choose_profile_release_dangling_and_late_errors() -> None:
    plain = standin_for(["--error-rate", "0.05"])
    assert (plain.profile, plain.release, plain.dangling()) == ("lenient", "25.20.17", {})
    assert plain.faults.error_rate == 0.05 and plain.faults.errors_after_write == 0.5
    chosen = standin_for(
        ["--profile", "core", "--release", "23.2.26", "--dangling", "--errors-after-write", "0"]
    )
    assert (chosen.profile, chosen.release) == ("core", "23.2.26")
    assert chosen.dangling()["departed_users"] and chosen.faults.errors_after_write == 0.0
    with chosen:
        sdk = looker_sdk.init40(config_settings=StandInSettings(chosen))
        assert sdk.versions().looker_release_version == "23.2.26"
        with pytest.raises(looker_sdk.error.SDKError):
            sdk.set_role_groups("2", ["1"])
    assert standin_for(["--profile", "strict"]).release == "23.2.26"
    every = standin_for(["--all-parts", "--dashboards", "40", "--no-custom-themes"])
    assert every.seed.tabbed_dashboards == SeedSize().with_all_parts().tabbed_dashboards > 0
    assert every.seed.dashboards == 40 and not every.app.custom_themes
    assert standin_for([]).seed.tabbed_dashboards == 0


@pytest.mark.parametrize(
    "flags",
    [["--profile", "loose"], ["--release", "latest"], ["--errors-after-write", "1.5"]],
)
def test_bad_flags_are_refused(flags: list[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        standin_for(flags)
    assert refused.value.code == 2
