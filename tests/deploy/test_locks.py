"""The locks (`make lock`, locks/lock.py) match pyproject.toml, and what installs from them
refuses anything else: a file whose hash is not in the lock, or a dependency the lock lacks.

The install tests run pip as the deployables do, on a part of the real locks (requests and what
it needs, small downloads): the job image's builder fetches with the Dockerfile's own `pip
download` command, and Cloud Functions runs a plain `pip install -r requirements.txt`, which
the hashes alone put in hash-checking mode."""

from __future__ import annotations

import copy
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from locks.lock import LOCKS, RUN_MAKE_LOCK, load_project, stale
from tests.backup.cloudrun.test_dockerfile import DOCKERFILE, parse_dockerfile, run_words

REQUESTS = ("requests", "certifi", "charset-normalizer", "idna", "urllib3")
WRONG = "sha256:" + "0" * 64


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
        f"{job} does not match pyproject.toml's dependencies: {RUN_MAKE_LOCK}.",
        f"{tmp_path / 'function.txt'} is missing: {RUN_MAKE_LOCK}.",
    ]


def entries(lock: Path) -> dict[str, str]:
    """Each pinned distribution's block of `lock` (its line, hashes and annotations)."""
    blocks = re.split(r"(?m)^(?=[a-z0-9])", lock.read_text(encoding="utf-8"))
    return {re.split(r"[=; ]", block, maxsplit=1)[0]: block for block in blocks[1:]}


def builder_download(requirements: Path, dest: Path) -> list[str]:
    """The Dockerfile builder's `pip download` of the job lock, pointed at `requirements`."""
    _, stages = parse_dockerfile(DOCKERFILE.read_text())
    words = next(
        words
        for run in stages[0].all("RUN")
        for words in [run_words(run)]
        if "download" in words and "/locks/job.txt" in words
    )
    command = words[words.index("download") - 1 : words.index("/locks/job.txt") + 1]
    assert command[:2] == ["pip", "download"] and "--require-hashes" in command, shlex.join(words)
    command[command.index("--dest") + 1] = str(dest)
    command[-1] = str(requirements)
    return [sys.executable, "-m", *command]


def cloud_functions_install(requirements: Path, dest: Path) -> list[str]:
    """What Cloud Functions' build does with the bundle's requirements.txt, fetching only."""
    return [sys.executable, "-m", "pip", "download", "--dest", str(dest), "-r", str(requirements)]


@pytest.mark.parametrize(
    ("lock", "command"),
    [("job.txt", builder_download), ("function.txt", cloud_functions_install)],
)
def test_installs_refuse_a_wrong_hash_or_a_dependency_the_lock_lacks(
    lock: str, command: Callable[[Path, Path], list[str]], tmp_path: Path
) -> None:
    blocks = entries(LOCKS / lock)
    part = {name: blocks[name] for name in REQUESTS}

    def fetch(name: str, text: str) -> subprocess.CompletedProcess[str]:
        requirements = tmp_path / f"{name}.txt"
        requirements.write_text(text)
        return subprocess.run(
            command(requirements, tmp_path / name), capture_output=True, text=True, timeout=240
        )

    exact = fetch("exact", "".join(part.values()))
    assert exact.returncode == 0, exact.stderr
    assert {p.name.split("-")[0].lower() for p in (tmp_path / "exact").iterdir()} == {
        "requests",
        "certifi",
        "charset_normalizer",
        "idna",
        "urllib3",
    }

    tampered = dict(part, urllib3=re.sub(r"sha256:[0-9a-f]{64}", WRONG, part["urllib3"]))
    wrong_hash = fetch("wrong-hash", "".join(tampered.values()))
    assert wrong_hash.returncode != 0
    assert "DO NOT MATCH THE HASHES" in wrong_hash.stderr, wrong_hash.stderr

    unlisted = fetch("unlisted", "".join(v for k, v in part.items() if k != "urllib3"))
    assert unlisted.returncode != 0
    # pip words it by where it meets the dependency: "hashes are missing" or "not pinned".
    assert "in --require-hashes mode" in unlisted.stderr.lower(), unlisted.stderr
    assert "urllib3" in unlisted.stderr.split("--require-hashes mode", 1)[1]
