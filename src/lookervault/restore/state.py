"""What restores remember between runs, in the user's state directory: the id map (which
target item each backed-up item became), the items that failed, and the calls a target
refused outright (restore/denials.py), so the next plan leaves those parts out up front.

One SQLite file, `restore.db`; each write commits at once, so a run killed at any moment keeps
every mapping it made. Rows are scoped by source host and target host: a backup of A restored
into B never sees the map of A into C.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from lookervault import dbfile
from lookervault.errors import UsageError

Key = tuple[str, str]
FILENAME = "restore.db"

_SCHEMA = """
create table if not exists id_map (
    source_host text not null,
    target_host text not null,
    type text not null,
    source_id text not null,
    target_id text not null,
    primary key (source_host, target_host, type, source_id)
);
create table if not exists failures (
    source_host text not null,
    target_host text not null,
    type text not null,
    source_id text not null,
    error text not null,
    failed_at text not null,
    primary key (source_host, target_host, type, source_id)
);
create table if not exists denied (
    target_host text not null,
    part text not null,
    denied_at text not null,
    primary key (target_host, part)
);
"""


class RestoreState:
    """The id map and failure records of one (source host, target host) pair, thread-safe."""

    def __init__(self, state_dir: Path, source_host: str, target_host: str) -> None:
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            self._conn = dbfile.connect(state_dir / FILENAME, autocommit=True, any_thread=True)
            self._conn.execute("pragma journal_mode = wal")
            self._conn.execute("pragma synchronous = normal")  # a killed run keeps every commit
            self._conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(
                f"Cannot use the restore state in {state_dir} ({exc}).",
                "Make the folder writable, or point LOOKERVAULT_STATE_DIR at one that is.",
            ) from exc
        self._scope = (source_host, target_host)
        self._lock = threading.Lock()
        self._failing = set(self.failed())

    def close(self) -> None:
        self._conn.close()

    def mapped(self, type_name: str) -> dict[str, str]:
        """source id -> target id of every item of a type mapped so far."""
        with self._lock:
            rows = self._conn.execute(
                "select source_id, target_id from id_map"
                " where source_host = ? and target_host = ? and type = ?",
                (*self._scope, type_name),
            ).fetchall()
        return dict(rows)

    def record(self, type_name: str, source_id: str, target_id: str) -> None:
        with self._lock:
            self._conn.execute(
                "insert or replace into id_map values (?, ?, ?, ?, ?)",
                (*self._scope, type_name, source_id, target_id),
            )

    def failed(self) -> dict[Key, str]:
        """(type, source id) -> error of every item whose last attempt failed."""
        with self._lock:
            rows = self._conn.execute(
                "select type, source_id, error from failures"
                " where source_host = ? and target_host = ? order by type, source_id",
                self._scope,
            ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}

    def record_failure(self, key: Key, error: str) -> None:
        with self._lock:
            self._failing.add(key)
            self._conn.execute(
                "insert or replace into failures values (?, ?, ?, ?, ?, ?)",
                (*self._scope, *key, error, datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def denied(self) -> set[str]:
        """The deniable parts (restore/denials.py) this target refused."""
        with self._lock:
            rows = self._conn.execute(
                "select part from denied where target_host = ?", (self._scope[1],)
            ).fetchall()
        return {r[0] for r in rows}

    def record_denied(self, part: str) -> None:
        with self._lock:
            self._conn.execute(
                "insert or replace into denied values (?, ?, ?)",
                (self._scope[1], part, datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def clear_failure(self, key: Key) -> None:
        with self._lock:
            if key not in self._failing:
                return
            self._failing.discard(key)
            self._conn.execute(
                "delete from failures"
                " where source_host = ? and target_host = ? and type = ? and source_id = ?",
                (*self._scope, *key),
            )
