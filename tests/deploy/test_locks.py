"""The locks (`make lock`, locks/lock.py) match pyproject.toml: a changed requirement without a
new lock fails `make test`, saying to run `make lock`."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from locks.lock import LOCKS, RUN_MAKE_LOCK, load_project, stale


def test_every_lock_was_made_from_pyproject_as_it_is() -> None:
    assert stale(load_project()) == []


def add_core(project: dict[str, Any]) -> None:
    project["project"]["dependencies"].append("humanize>=4")


def tighten_storage(project: dict[str, Any]) -> None:
    core = project["project"]["dependencies"]
    core[core.index("google-cloud-storage>=3.1")] = "google-cloud-storage>=3.2"


def add_function_extra(project: dict[str, Any]) -> None:
    project["project"]["optional-dependencies"]["function"].append("gunicorn>=22")


def change_build_backend(project: dict[str, Any]) -> None:
    project["build-system"]["requires"] = ["setuptools>=75"]


def move_browser_back(project: dict[str, Any]) -> None:
    project["project"]["dependencies"].append("textual>=1.0")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The function lock keeps the job lock's versions, so a new job lock makes it stale too.
        (add_core, {"job", "function"}),
        (move_browser_back, {"job", "function"}),
        (tighten_storage, {"job", "function"}),
        (add_function_extra, {"function"}),
        (change_build_backend, {"build"}),
    ],
)
def test_a_changed_requirement_makes_its_lock_stale(
    change: Callable[[dict[str, Any]], None], expected: set[str]
) -> None:
    project = copy.deepcopy(dict(load_project()))
    change(project)
    problems = stale(project)
    assert [problem.split()[0] for problem in problems] == [
        f"locks/{name}.txt" for name in ("build", "job", "function") if name in expected
    ]
    assert all(problem.endswith(f"{RUN_MAKE_LOCK}.") for problem in problems)


def test_a_lock_without_its_record_or_missing_is_stale(tmp_path: Path) -> None:
    for name in ("build", "job"):
        (tmp_path / f"{name}.txt").write_text((LOCKS / f"{name}.txt").read_text())
    job = tmp_path / "job.txt"
    job.write_text(re.sub(r"(?m)^# inputs-sha256: .*\n", "", job.read_text()))

    problems = stale(load_project(), tmp_path)

    assert problems == [
        f"{job} was made from other requirements than pyproject.toml declares now: "
        f"{RUN_MAKE_LOCK}.",
        f"{tmp_path / 'function.txt'} is missing: {RUN_MAKE_LOCK}.",
    ]
