"""Fixtures for `lookervault backup`: the Cloud Run Admin API stand-in, wired in by environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lookervault.cli import main
from tests.support.cloudrun_standin import CloudRunStandIn, running_standin


@pytest.fixture
def cloud_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudRunStandIn]:
    """The stand-in with one deployed job, `lookervault-backup`, and LookerVault pointed at it."""
    with running_standin() as standin:
        monkeypatch.setenv("LOOKERVAULT_PROJECT", standin.project)
        monkeypatch.setenv("LOOKERVAULT_REGION", standin.region)
        monkeypatch.setenv("LOOKERVAULT_RUN_API_ENDPOINT", standin.url)
        monkeypatch.setenv("LOOKERVAULT_RUN_POLL_SECONDS", "0.01")
        yield standin


class Cli:
    """Runs `lookervault` in-process and keeps exit code, stdout and stderr."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.out = ""
        self.err = ""

    def __call__(self, *args: str) -> int:
        self._capsys.readouterr()
        code = main(list(args))
        captured = self._capsys.readouterr()
        self.out, self.err = captured.out, captured.err
        return code


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)
