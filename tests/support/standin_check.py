"""Schemathesis against the stand-in: every operation it serves, generated from the official spec.

`python -m tests.support.standin_check [--max-examples N]` (or `make stand-in-check`) starts a
stand-in, writes the spec reduced to the operations the stand-in serves, and runs schemathesis
on it in every generation mode (valid and invalid requests). It passes when no answer is a
server error and every answer matches the spec, except the documented exceptions below.
tests/local/standin/test_schemathesis.py runs a small bounded version in `make test`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from lookervault.local.standin import StandIn
from tests.support.openapi_check import API_PREFIX, spec_data

CHECKS = ("not_a_server_error", "response_schema_conformance", "content_type_conformance")

EXCEPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "DELETE": (
        ("response_schema_conformance", "content_type_conformance"),
        "every delete answers 204 with an empty body, as RFC 9110 requires and Looker does;"
        " the spec gives 204 a JSON string schema that no empty body matches",
    ),
}
"""The one place where known differences from the spec are listed: by HTTP method, the checks
those operations skip (they still run every other check, not_a_server_error always), each
with its reason."""

ALWAYS_SERVED = (("POST", "/login"), ("GET", "/versions"))


@dataclass(frozen=True)
class Result:
    returncode: int
    output: str


def served_spec(base_url: str) -> dict[str, Any]:
    """The official spec reduced to the operations the stand-in serves, pointed at it."""
    data = spec_data()
    app = StandIn().app
    served = {(r.method, r.template) for r in app.routes} | set(ALWAYS_SERVED)
    paths: dict[str, Any] = {}
    for template, item in data["paths"].items():
        kept = {
            method: operation
            for method, operation in item.items()
            if (method.upper(), template) in served
        }
        if kept:
            paths[template] = kept
    return {**data, "servers": [{"url": base_url + API_PREFIX}], "paths": paths}


def run(max_examples: int, seed: int = 0) -> Result:
    """Schemathesis against a fresh stand-in: every served operation, each method with its
    checks (all of CHECKS unless EXCEPTIONS says otherwise). The CLI's output is returned."""
    outputs = []
    returncode = 0
    excepted = list(EXCEPTIONS)
    groups = [(CHECKS, [arg for method in excepted for arg in ("--exclude-method", method)])]
    for method, (skipped, _) in EXCEPTIONS.items():
        checks = tuple(c for c in CHECKS if c not in skipped)
        groups.append((checks, ["--include-method", method]))
    for checks, selection in groups:
        result = _run_once(checks, selection, max_examples, seed)
        outputs.append(result.output)
        returncode = returncode or result.returncode
    return Result(returncode, "\n".join(outputs))


def _run_once(
    checks: tuple[str, ...], selection: list[str], max_examples: int, seed: int
) -> Result:
    with StandIn(record=False) as standin, tempfile.TemporaryDirectory() as tmp:
        login = requests.post(
            f"{standin.base_url}{API_PREFIX}/login",
            data={"client_id": standin.client_id, "client_secret": standin.client_secret},
            timeout=10,
        )
        token = login.json()["access_token"]
        spec_path = Path(tmp) / "served.json"
        spec_path.write_text(json.dumps(served_spec(standin.base_url)), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            str(spec_path),
            "--url",
            standin.base_url + API_PREFIX,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            ",".join(checks),
            "--mode",
            "all",
            "--max-examples",
            str(max_examples),
            "--seed",
            str(seed),
            "--workers",
            "1",
            "--no-shrink",
            "--generation-database",
            "none",
            "--phases",
            "examples,coverage,fuzzing",
            "--no-color",
            *selection,
        ]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=1800, check=False, cwd=tmp
        )
    return Result(completed.returncode, completed.stdout + completed.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.standin_check")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args.max_examples, args.seed)
    print(result.output)
    print("Documented exceptions:")
    for method, (skipped, reason) in EXCEPTIONS.items():
        print(f"  {method}: skips {', '.join(skipped)}: {reason}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
