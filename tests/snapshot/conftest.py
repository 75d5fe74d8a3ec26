"""Fixtures for snapshot tests: a CLI runner and sample databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lookervault.cli import main
from lookervault.local.sample import make_sample_db
from tests.support.fault_proxy import fault_proxy  # noqa: F401

MB = 1024 * 1024


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


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
