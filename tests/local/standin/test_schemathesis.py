"""Schemathesis over every operation the stand-in serves, bounded to stay fast in `make test`:
its explicit examples and generated requests (positive and negative), six per operation.

`make stand-in-check` adds the coverage phase (systematic boundary values, about 15,000
requests) and more examples per operation.
"""

from __future__ import annotations

import re

from tests.support.standin_check import EXCEPTIONS, run


def test_generated_requests_get_no_server_error_and_answers_match_the_spec() -> None:
    result = run(max_examples=6, seed=1, phases="examples,fuzzing")
    assert result.returncode == 0, result.output[-8000:]
    generated = [int(n) for n in re.findall(r"(\d+) generated, \1 passed", result.output)]
    method_groups = [e for e in EXCEPTIONS if e.skipped_checks]
    assert len(generated) == 1 + len(method_groups), result.output[-3000:]
    assert sum(generated) > 600
    assert "Server error" not in result.output
