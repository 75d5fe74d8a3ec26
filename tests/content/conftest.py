"""Fixtures for content tests: the backed-up stand-in A and its backup (shared with the
restore tests), `lookervault ARGS...` run in-process (shared with the snapshot tests), and
the rows of a database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lookervault.local.standin import Profile
from lookervault.looker import store
from tests.restore.conftest import backup, looker_a, restore  # noqa: F401
from tests.snapshot.conftest import Run, run  # noqa: F401
from tests.support.looker_fixtures import standin_factory  # noqa: F401


@pytest.fixture
def profile() -> Profile:
    """Reading and exporting content does not depend on how Looker answers a restore's
    writes: the stand-in as it always was is enough (the restore tests cover all three)."""
    return "lenient"


def rows(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every content row, columns and object, by (type, id)."""
    conn = store.open_read_only(path)
    try:
        conn.row_factory = lambda cursor, row: dict(
            zip([c[0] for c in cursor.description], row, strict=True)
        )
        return {(r["type"], r["id"]): r for r in conn.execute("select * from content")}
    finally:
        conn.close()


def update_item(path: Path, type_name: str, item_id: str, change: Callable[[Any], None]) -> None:
    """Change one stored object in place, as a tampered or differently extracted file."""
    conn = store.connect(path)
    try:
        (data,) = conn.execute(
            "select data from content where type = ? and id = ?", (type_name, item_id)
        ).fetchone()
        item = json.loads(data)
        change(item)
        conn.execute(
            "update content set data = ? where type = ? and id = ?",
            (json.dumps(item, sort_keys=True, separators=(",", ":")), type_name, item_id),
        )
    finally:
        conn.close()
