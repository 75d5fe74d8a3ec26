"""Open SQLite files by path: the file named is the file used, whatever characters it holds.

SQLite reads `file:` URIs (and this build treats any name starting with `file:` as one), where
`#`, `?` and `%` mean fragment, query and escape. Every connection LookerVault opens goes
through `connect`, which builds the URI from the absolute path with `Path.as_uri()`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

Mode = Literal["ro", "rw", "rwc"]


def uri(path: Path, mode: Mode, immutable: bool = False) -> str:
    """`file:///abs/path?mode=...`, with every special character of the path escaped."""
    query = f"mode={mode}" + ("&immutable=1" if immutable else "")
    return f"{path.absolute().as_uri()}?{query}"


def connect(
    path: Path,
    mode: Mode = "rwc",
    *,
    immutable: bool = False,
    autocommit: bool = False,
    any_thread: bool = False,
) -> sqlite3.Connection:
    """Open exactly `path`. `immutable` promises SQLite nobody else touches the file, so a
    WAL-mode database is read without creating `-wal` and `-shm` files beside it.
    `autocommit` leaves transactions to the caller (`isolation_level=None`); `any_thread`
    lets other threads use the connection (the caller serialises them)."""
    return sqlite3.connect(
        uri(path, mode, immutable),
        uri=True,
        isolation_level=None if autocommit else "DEFERRED",
        check_same_thread=not any_thread,
    )
