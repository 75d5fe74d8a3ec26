"""One place per content type: its registry row, or its handler; no generic module branches
on a type's name."""

from __future__ import annotations

import re
from pathlib import Path

from lookervault.looker.content_types import BY_NAME, TYPE_NAMES
from lookervault.restore.types import HANDLERS, handler
from lookervault.restore.types.base import PLAIN

SRC = Path(__file__).resolve().parents[2] / "src" / "lookervault"
GENERIC = [
    *sorted((SRC / "restore").glob("*.py")),
    SRC / "looker" / "compare.py",
    *sorted((SRC / "content").glob("*.py")),
]
"""Modules that must treat every type alike (restore/types/ holds each type's own code)."""
NAMES = "|".join(TYPE_NAMES)
BRANCH = re.compile(rf'(==|!=|\bin \(|\bin \{{|\bin \[|\bcase) *"({NAMES})"')


def test_every_handler_is_of_a_registered_type_and_the_rest_are_plain() -> None:
    assert set(HANDLERS) <= set(BY_NAME)
    assert handler("permission_sets") is PLAIN
    assert all(handler(name).write is not None or handler(name).pseudo for name in HANDLERS)


def test_no_generic_module_branches_on_a_types_name() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in GENERIC
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BRANCH.search(line)
    ]
    assert found == []
