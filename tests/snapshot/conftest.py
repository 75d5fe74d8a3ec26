"""Fixtures for snapshot tests: a CLI runner and sample databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lookervault.cli import main
from lookervault.local.sample import make_sample_db
from tests.support.cli import Result
from tests.support.fault_proxy import fault_proxy  # noqa: F401

MB = 1024 * 1024


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `lookervault ARGS...` in-process; returns exit code, stdout, stderr."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_db(tmp_path_factory.mktemp("db") / "looker.db", 2 * MB)


@pytest.fixture(scope="session")
def large_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_db(tmp_path_factory.mktemp("db") / "looker.db", 60 * MB, seed=1)
