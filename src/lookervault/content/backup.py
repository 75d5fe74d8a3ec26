"""Where a backup is read from: a looker.db by path, or a snapshot through the verified
download into the local snapshot cache (shared with `snapshot diff`), so asking a second
question about the same snapshot downloads nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import google.cloud.storage as storage

from lookervault.config import Settings
from lookervault.errors import UsageError
from lookervault.looker import store
from lookervault.snapshot import refs
from lookervault.snapshot.copies import settings_cached_copy

NOT_OURS_HINT = "Pass a looker.db made by `lookervault extract` (or `lookervault import`)."


def snapshot_copy(client: storage.Client, settings: Settings, ref: str) -> Path:
    """The snapshot REF as a verified local database in the snapshot cache."""
    path, _ = settings_cached_copy(client, settings, refs.resolve(client, settings, ref))
    return path


@contextlib.contextmanager
def open_backup(path: Path, immutable: bool = False) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a LookerVault database; exit 2 for any other file.

    `immutable` for a cached snapshot: nothing is written beside it, not even `-shm`.
    """
    conn = store.open_read_only(path, immutable)
    try:
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not an SQLite database ({exc}).", NOT_OURS_HINT) from exc
        if not {"content", "runs"} <= tables:
            raise UsageError(
                f"{path} is an SQLite database but not a LookerVault one.", NOT_OURS_HINT
            )
        yield conn
    finally:
        conn.close()
