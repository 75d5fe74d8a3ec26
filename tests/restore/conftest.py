"""Fixtures for restore tests: Looker stand-ins A (the backed-up instance) and B (another,
empty one), a backup of A, a CLI runner pointed at either, and content read back."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lookervault.cli import main
from lookervault.local.standin import SeedSize, StandIn
from lookervault.looker import store
from lookervault.looker.extract import extract
from tests.support.cli import Result
from tests.support.looker_fixtures import (
    StandInFactory,
    StandInSettings,
    sdk_env,
    standin_factory,  # noqa: F401
)

Items = dict[str, dict[str, dict[str, Any]]]
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
SMALL = SeedSize()


Restore = Callable[..., Result]


def extract_items(standin: StandIn, path: Path) -> Items:
    """Extract a stand-in into `path` and return its content as type -> id -> object."""
    extract(path, settings=StandInSettings(standin), workers=4)
    return read_items(path)


read_items = store.read_items


def writes(standin: StandIn) -> list[str]:
    """Every write request the stand-in answered, as `METHOD path`."""
    return [
        f"{e.method} {e.path.removeprefix('/api/4.0')}"
        for e in standin.exchanges
        if e.method in WRITE_METHODS and not e.path.endswith(("/login", "/logout"))
    ]


@pytest.fixture
def looker_a(standin_factory: StandInFactory) -> StandIn:  # noqa: F811
    return standin_factory(seed=SMALL, seed_value=0)


@pytest.fixture
def looker_b(standin_factory: StandInFactory) -> StandIn:  # noqa: F811
    """Another, new Looker instance: only what a fresh instance holds."""
    return standin_factory(seed=SeedSize.empty(), seed_value=1)


@pytest.fixture
def backup(looker_a: StandIn, tmp_path: Path) -> Path:
    """A backup of A, made by a real extraction."""
    path = tmp_path / "a.db"
    extract_items(looker_a, path)
    return path


@pytest.fixture
def restore(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Restore]:
    """`lookervault restore ARGS...` in-process, with LOOKERSDK_* pointing at `into`."""

    def run(into: StandIn, *args: str, env: dict[str, str] | None = None) -> Result:
        with monkeypatch.context() as patch:
            for key, value in {**sdk_env(into), **(env or {})}.items():
                patch.setenv(key, value)
            capsys.readouterr()
            code = main(["restore", *args])
            captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


def restore_env(into: StandIn) -> dict[str, str]:
    """The environment of a restore run as a child process."""
    return {**os.environ, **sdk_env(into)}
