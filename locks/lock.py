"""`make lock`: the hashed dependency locks the job image and the function bundle install from,
so two builds of one commit install the same files and no release reaches production unreviewed.

    python -m locks.lock      resolve again (needs PyPI) and rewrite every lock

Each lock's header records a SHA-256 of what it was made from: its requirements as
pyproject.toml states them, the Python it targets and the resolver's options. `stale()`
recomputes it (tests/deploy/test_locks.py, so `make test`) without asking the index: a lock
stays valid until its inputs change, whatever has been released since, and a changed input
fails the tests until `make lock` is run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "locks"
HANDLER = ROOT / "functions" / "main.py"
PACKAGE = ROOT / "src" / "lookervault"

# The lowest Python the project supports; `--universal` keeps the markers that other Pythons and
# platforms need, so the production base image (3.12) and Cloud Functions' python312 take the
# same lock. `--only-binary`: every locked version has wheels, and the image installs no sdist.
UV_OPTIONS = (
    "--universal",
    "--python-version",
    "3.11",
    "--generate-hashes",
    "--only-binary",
    ":all:",
)
DIGEST_LINE = "# inputs-sha256: "
RUN_MAKE_LOCK = "run `make lock` and commit the locks"

Project = Mapping[str, Any]


@dataclass(frozen=True)
class Lock:
    name: str
    what: str
    made_from: str
    inputs: Callable[[Project], list[str]]
    constraints: tuple[str, ...] = ()  # other locks whose versions this one keeps

    @property
    def filename(self) -> str:
        return f"{self.name}.txt"

    @property
    def path(self) -> Path:
        return LOCKS / self.filename


def build_inputs(project: Project) -> list[str]:
    return sorted(project["build-system"]["requires"])


def job_inputs(project: Project) -> list[str]:
    """The package's own runtime dependencies: the image installs it, so `pip check` holds."""
    return sorted(project["project"]["dependencies"])


def function_inputs(project: Project) -> list[str]:
    """The `function` extra and the core dependencies the handler imports: the bundle carries
    the package as source, without its metadata, so it needs nothing it does not run."""
    core = project["project"]["dependencies"]
    extra = project["project"]["optional-dependencies"]["function"]
    used = imported_distributions(tuple(distribution_name(r) for r in [*core, *extra]))
    return sorted([*(r for r in core if distribution_name(r) in used), *extra])


LOCK_LIST = (
    Lock(
        "build",
        "the build backend the image's builder stage makes the wheel with",
        "pyproject.toml's [build-system] requires",
        build_inputs,
    ),
    Lock(
        "job",
        "the job image's runtime dependencies",
        "pyproject.toml's dependencies",
        job_inputs,
    ),
    Lock(
        "function",
        "the retention function bundle's dependencies",
        "pyproject.toml's `function` extra, the dependencies functions/main.py imports, and "
        "locks/job.txt",
        function_inputs,
        ("job",),
    ),
)
BY_NAME = {lock.name: lock for lock in LOCK_LIST}


def distribution_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return match.group(0)


# Run in a child: import the handler, then name the given distributions owning a loaded module.
_PROBE = """
import importlib.metadata, json, pathlib, sys
sys.path.insert(0, sys.argv[1])
import main
loaded = {pathlib.Path(m.__file__).resolve() for m in list(sys.modules.values())
          if getattr(m, "__file__", None)}
used = []
for name in json.loads(sys.argv[2]):
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        continue  # not installed, so not imported either
    files = {pathlib.Path(str(dist.locate_file(f))).resolve() for f in dist.files or []}
    if files & loaded:
        used.append(name)
print(json.dumps(used))
"""


@functools.cache
def imported_distributions(names: tuple[str, ...]) -> frozenset[str]:
    """Which of `names` the Cloud Function's handler imports (in a child process, so nothing
    this process loaded counts)."""
    environment = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, str(HANDLER.parent), json.dumps(names)],
        capture_output=True,
        text=True,
        env=environment,
    )
    if probe.returncode != 0:
        raise RuntimeError(
            f"importing {HANDLER.relative_to(ROOT)} failed (run `make setup` first?):\n"
            + probe.stderr
        )
    return frozenset(json.loads(probe.stdout))


def load_project(pyproject: Path = ROOT / "pyproject.toml") -> Project:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))


def digest(lock: Lock, project: Project) -> str:
    """SHA-256 of everything a lock is made from; a constraint lock counts by its own digest."""
    made_from = {
        "requirements": lock.inputs(project),
        "options": UV_OPTIONS,
        "constraints": {name: digest(BY_NAME[name], project) for name in lock.constraints},
    }
    return hashlib.sha256(json.dumps(made_from, sort_keys=True).encode()).hexdigest()


def recorded_digest(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(DIGEST_LINE):
            return line.removeprefix(DIGEST_LINE).strip()
    return None


def stale(project: Project, directory: Path = LOCKS) -> list[str]:
    """One sentence per lock in `directory` that was not made from `project` as it is now."""
    problems = []
    for lock in LOCK_LIST:
        path = directory / lock.filename
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        if not path.is_file():
            problems.append(f"{shown} is missing: {RUN_MAKE_LOCK}.")
        elif recorded_digest(path.read_text(encoding="utf-8")) != digest(lock, project):
            problems.append(f"{shown} does not match {lock.made_from}: {RUN_MAKE_LOCK}.")
    return problems


def compile_lock(lock: Lock, project: Project) -> str:
    """The lock's text: our header, then what `uv pip compile` resolves (needs PyPI)."""
    inputs = lock.inputs(project)
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / f"{lock.name}.in").write_text("\n".join(inputs) + "\n", encoding="utf-8")
        constraints: list[str] = []
        for name in lock.constraints:
            shutil.copy2(BY_NAME[name].path, Path(work) / f"{name}.txt")
            constraints += ["--constraint", f"{name}.txt"]
        resolved = subprocess.run(
            [sys.executable, "-m", "uv", "pip", "compile", "--quiet", "--no-header",
             *UV_OPTIONS, *constraints, f"{lock.name}.in"],
            cwd=work,
            check=True,
            capture_output=True,
            text=True,
        ).stdout  # fmt: skip
    header = [
        f"# {lock.what[0].upper()}{lock.what[1:]}, locked with hashes.",
        "# Made by `make lock` (locks/lock.py) from pyproject.toml; do not edit by hand.",
        f"# {lock.name}.in, what it is made from:",
        *(f"#   {requirement}" for requirement in inputs),
        *(f"# {name}.txt: the versions of locks/{name}.txt" for name in lock.constraints),
        f"# uv pip compile {' '.join(UV_OPTIONS)}",
        f"{DIGEST_LINE}{digest(lock, project)}",
    ]
    return "\n".join(header) + "\n" + resolved


def main() -> None:
    project = load_project()
    for lock in LOCK_LIST:  # in order: a lock's constraints are written before it
        lock.path.write_text(compile_lock(lock, project), encoding="utf-8")
        print(lock.path.relative_to(ROOT))


if __name__ == "__main__":
    main()
