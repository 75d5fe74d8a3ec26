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
from tests.support.openapi_check import API_PREFIX, no_required, spec_data

CHECKS = ("not_a_server_error", "response_schema_conformance", "content_type_conformance")


@dataclass(frozen=True)
class KnownDifference:
    """A known difference between the spec and Looker (so the stand-in), and how the run
    allows for it."""

    scope: str
    """An HTTP method whose operations skip `skipped_checks`, or "fields"."""
    skipped_checks: tuple[str, ...]
    reason: str


EXCEPTIONS: tuple[KnownDifference, ...] = (
    KnownDifference(
        "DELETE",
        ("response_schema_conformance", "content_type_conformance"),
        "every delete answers 204 with an empty body, as RFC 9110 requires and Looker does;"
        " the spec gives 204 a JSON string schema that no empty body matches"
        " (not_a_server_error still runs)",
    ),
    KnownDifference(
        "fields",
        (),
        "a `fields` parameter makes Looker return only the requested keys, so the `required`"
        " lists of response schemas cannot hold for such calls: responses are checked against"
        " the spec without `required` (types and nullability still checked), as the exchange"
        " check in tests/support/openapi_check.py does for projected calls",
    ),
)
"""The one place where known differences from the spec are listed, each with its reason."""

ALWAYS_SERVED = (("POST", "/login"), ("GET", "/versions"))


@dataclass(frozen=True)
class Result:
    returncode: int
    output: str


def served_spec(base_url: str) -> dict[str, Any]:
    """The official spec reduced to the operations the stand-in serves, pointed at it, without
    `required` (the "fields" exception)."""
    data = no_required(spec_data())
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


def run(max_examples: int, seed: int = 0, phases: str = "examples,coverage,fuzzing") -> Result:
    """Schemathesis against a fresh stand-in: every served operation, each method with its
    checks (all of CHECKS unless EXCEPTIONS says otherwise). The CLI's output is returned."""
    outputs = []
    returncode = 0
    by_method = [e for e in EXCEPTIONS if e.skipped_checks]
    groups = [(CHECKS, [arg for e in by_method for arg in ("--exclude-method", e.scope)])]
    for exception in by_method:
        checks = tuple(c for c in CHECKS if c not in exception.skipped_checks)
        groups.append((checks, ["--include-method", exception.scope]))
    for checks, selection in groups:
        result = _run_once(checks, selection, max_examples, seed, phases)
        outputs.append(result.output)
        returncode = returncode or result.returncode
    return Result(returncode, "\n".join(outputs))


def _run_once(
    checks: tuple[str, ...], selection: list[str], max_examples: int, seed: int, phases: str
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
            phases,
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
    for exception in EXCEPTIONS:
        skipped = ", ".join(exception.skipped_checks) or "no check"
        print(f"  {exception.scope} (skips {skipped}): {exception.reason}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
