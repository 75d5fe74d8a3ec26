"""Running `lookervault` in tests: in-process (`Result`), or as a user does, as a process whose
stderr must never hold a traceback.

Every run through `run_cli` (or checked with `assert_no_traceback`) asserts it, so each test
that uses it also proves that its input ends in a sentence and an exit code, not a crash.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOOKERVAULT = [sys.executable, "-m", "lookervault"]
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def assert_no_traceback(stderr: str) -> None:
    assert TRACEBACK not in stderr, stderr


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    prefix: Sequence[str] = (),
    timeout: float = 120,
) -> Result:
    """`lookervault ARGS...` in a child process with this environment plus `env`; `prefix`
    wraps the command (e.g. `on_small_disk`)."""
    done = subprocess.run(
        [*prefix, *LOOKERVAULT, *args],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert_no_traceback(done.stderr)
    return Result(done.returncode, done.stdout, done.stderr)


LEFT = "@left:"


def on_small_disk(mount: Path, size_kib: int, *, read_only: bool = False) -> list[str]:
    """A command prefix: run in a private mount namespace where `mount` (an existing, empty
    folder) is a fresh tmpfs of `size_kib` KiB, so writes past it fail with ENOSPC (or, with
    `read_only`, every write fails with EROFS). Afterwards `LEFT` and what the command left
    in the folder are printed as the last line of stdout; the tmpfs vanishes with the process.
    Needs only unprivileged user namespaces, as on the development machines and in CI."""
    options = f"size={size_kib}k" + (",ro" if read_only else "")
    script = (
        f'mount -t tmpfs -o {options} lookervault-test "$0" || exit 99; '
        f'"$@"; code=$?; echo "{LEFT} $(ls -A "$0" | tr "\\n" " ")"; exit $code'
    )
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, str(mount)]


def left_behind(done: Result) -> list[str]:
    """The files `on_small_disk` found in its folder after the command."""
    last = done.out.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith(LEFT), done.out
    return last[len(LEFT) :].split()
