"""The SQLite store: one `content` row per (type, id), the extraction runs, resumable progress.

Columns a user filters on (title, folder, owner, updated_at, deleted) sit next to the full object
as JSON in `data`, so `sqlite3 looker.db "select json_extract(data, '$.dashboard_elements')
from content where type = 'dashboards'"` just works. Only one thread writes, one page per commit.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lookervault import dbfile
from lookervault.errors import UsageError
from lookervault.looker.hosts import InstanceUrls

SCHEMA_VERSION = 1

_SCHEMA = """
create table if not exists content (
    type text not null,
    id text not null,
    title text,
    folder_id text,
    owner_id text,
    updated_at text,
    deleted integer not null default 0,
    missing_since text,
    data text not null,
    primary key (type, id)
);
create index if not exists content_folder on content (folder_id);
create index if not exists content_owner on content (owner_id);
create table if not exists runs (
    id integer primary key,
    status text not null,
    started_at text not null,
    finished_at text,
    types text not null,
    page_size integer not null,
    workers integer not null,
    looker_host text not null,
    looker_version text,
    counts text,
    errors text not null default '[]'
);
create table if not exists run_pages (
    run_id integer not null references runs (id),
    type text not null,
    stream integer not null,
    page_offset integer not null,
    item_count integer not null,
    primary key (run_id, type, stream, page_offset)
);
create table if not exists run_instance (
    run_id integer primary key references runs (id),
    host_url text,
    web_server_url text
);
create table if not exists run_seen (
    run_id integer not null references runs (id),
    type text not null,
    id text not null,
    primary key (run_id, type, id)
);
create table if not exists run_dangling (
    run_id integer not null references runs (id),
    type text not null,
    id text not null,
    field text not null,
    target_type text not null,
    target_id text not null
);
"""

_UPSERT = """
insert into content (type, id, title, folder_id, owner_id, updated_at, deleted, missing_since, data)
values (?, ?, ?, ?, ?, ?, ?, null, ?)
on conflict (type, id) do update set
    title = excluded.title,
    folder_id = excluded.folder_id,
    owner_id = excluded.owner_id,
    updated_at = excluded.updated_at,
    deleted = excluded.deleted,
    missing_since = null,
    data = excluded.data
where content.data is not excluded.data
    or content.deleted is not excluded.deleted
    or content.missing_since is not null
"""


@dataclass(frozen=True)
class Summary:
    """The columns of one stored item, without its object: what a listing shows."""

    type: str
    id: str
    title: str | None
    folder_id: str | None
    owner_id: str | None
    updated_at: str | None
    deleted: bool


@dataclass(frozen=True)
class Row(Summary):
    """One content item as stored; `data` is the object as canonical JSON."""

    data: str


@dataclass(frozen=True)
class Run:
    """An extraction run as recorded in the `runs` table; `counts` once it has ended."""

    id: int
    status: str
    started_at: datetime
    types: list[str]
    page_size: int
    looker_host: str
    looker_version: str | None = None
    finished_at: datetime | None = None
    counts: dict[str, int] | None = None
    errors: list[str] = field(default_factory=list)


def connect(db_path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a LookerVault database, refusing other files and newer schemas."""
    if not db_path.parent.is_dir():
        raise UsageError(
            f"Cannot create {db_path}: {db_path.parent} is not a directory.",
            "Create the directory or pass another --db path.",
        )
    conn = dbfile.connect(db_path, autocommit=True)
    try:
        version = conn.execute("pragma user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"{db_path} has schema version {version}, newer than this lookervault "
                f"understands ({SCHEMA_VERSION}).",
                "Upgrade LookerVault or pass another --db.",
            )
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if tables and "content" not in tables:
            raise UsageError(
                f"{db_path} is an SQLite database but not a LookerVault one.",
                "Pass another --db path.",
            )
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = normal")
        conn.executescript(f"begin; {_SCHEMA} pragma user_version = {SCHEMA_VERSION}; commit;")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UsageError(
            f"{db_path} is not an SQLite database ({exc}).", "Pass another --db path."
        ) from exc
    except UsageError:
        conn.close()
        raise
    return conn


def start_run(
    conn: sqlite3.Connection,
    *,
    types: Sequence[str],
    page_size: int,
    workers: int,
    looker_host: str,
    started_at: datetime,
) -> int:
    cursor = conn.execute(
        "insert into runs (status, started_at, types, page_size, workers, looker_host)"
        " values ('running', ?, ?, ?, ?, ?)",
        (started_at.isoformat(), json.dumps(list(types)), page_size, workers, looker_host),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


_RUN_COLUMNS = (
    "id, status, started_at, types, page_size, looker_host, looker_version, finished_at, counts,"
    " errors"
)


def _run(row: tuple[Any, ...]) -> Run:
    return Run(
        id=row[0],
        status=row[1],
        started_at=datetime.fromisoformat(row[2]),
        types=json.loads(row[3]),
        page_size=row[4],
        looker_host=row[5],
        looker_version=row[6],
        finished_at=None if row[7] is None else datetime.fromisoformat(row[7]),
        counts=None if row[8] is None else json.loads(row[8]),
        errors=json.loads(row[9]),
    )


def unfinished_run(conn: sqlite3.Connection) -> Run | None:
    """The latest run, if it did not complete (killed or failed): what --resume continues."""
    run = latest_run(conn)
    return None if run is None or run.status == "complete" else run


def latest_run(conn: sqlite3.Connection) -> Run | None:
    row = conn.execute(f"select {_RUN_COLUMNS} from runs order by id desc limit 1").fetchone()
    return None if row is None else _run(row)


def incomplete_reason(db_path: Path) -> str | None:
    """Why a closed file is not a whole backup, or None: it must hold Looker content and its
    last extraction run must have completed (a failed or killed run leaves types half done)."""
    conn = dbfile.connect(db_path, "ro", immutable=True)
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if not tables:
            return "it is empty (no tables)"
        if not {"content", "runs"} <= tables:
            return "it is not a database made by `lookervault extract`"
        run = latest_run(conn)
        if run is None:
            return "no extraction run is recorded in it"
        if run.status != "complete":
            return (
                f"its last extraction (run {run.id}, started "
                f"{run.started_at:%Y-%m-%d %H:%M} UTC) did not complete ({run.status})"
            )
        if conn.execute("select not exists (select 1 from content)").fetchone()[0]:
            return "it holds no Looker content"
        return None
    finally:
        conn.close()


def runs(conn: sqlite3.Connection) -> list[Run]:
    """Every extraction run, newest first."""
    return [_run(row) for row in conn.execute(f"select {_RUN_COLUMNS} from runs order by id desc")]


def mark_running(conn: sqlite3.Connection, run_id: int, looker_version: str) -> None:
    conn.execute(
        "update runs set status = 'running', looker_version = ? where id = ?",
        (looker_version, run_id),
    )


def record_instance(conn: sqlite3.Connection, run_id: int, urls: InstanceUrls) -> None:
    """What the instance said of itself during this run (restore tells instances apart by it)."""
    conn.execute(
        "insert or replace into run_instance values (?, ?, ?)",
        (run_id, urls.host_url, urls.web_server_url),
    )


def run_instance(conn: sqlite3.Connection, run_id: int) -> InstanceUrls:
    """The instance's URLs as recorded by a run; unknown for backups made before they were."""
    try:
        row = conn.execute(
            "select host_url, web_server_url from run_instance where run_id = ?", (run_id,)
        ).fetchone()
    except sqlite3.OperationalError:  # no such table: a read-only backup made before it existed
        return InstanceUrls()
    return InstanceUrls(*row) if row else InstanceUrls()


def completed_pages(conn: sqlite3.Connection, run_id: int) -> dict[tuple[str, int, int], int]:
    """(type, stream, offset) -> item count of every page this run already committed."""
    rows = conn.execute(
        "select type, stream, page_offset, item_count from run_pages where run_id = ?", (run_id,)
    )
    return {(r[0], r[1], r[2]): r[3] for r in rows}


def write_page(
    conn: sqlite3.Connection,
    run_id: int,
    page: tuple[str, int, int],
    rows: Sequence[Row],
    listed: int,
) -> None:
    """Upsert one page of items and record the page (`listed` items long) as done, atomically."""
    type_name, stream, offset = page
    with _transaction(conn):
        conn.executemany(
            _UPSERT,
            [
                (
                    r.type,
                    r.id,
                    r.title,
                    r.folder_id,
                    r.owner_id,
                    r.updated_at,
                    int(r.deleted),
                    r.data,
                )
                for r in rows
            ],
        )
        conn.executemany(
            "insert or ignore into run_seen (run_id, type, id) values (?, ?, ?)",
            [(run_id, r.type, r.id) for r in rows],
        )
        conn.execute(
            "insert or replace into run_pages values (?, ?, ?, ?, ?)",
            (run_id, type_name, stream, offset, listed),
        )


def mark_missing(conn: sqlite3.Connection, run_id: int, type_name: str, since: datetime) -> int:
    """Mark rows of a fully extracted type that this run did not see as deleted (never drop)."""
    with _transaction(conn):
        cursor = conn.execute(
            "update content set deleted = 1, missing_since = ?"
            " where type = ? and missing_since is null and id not in"
            " (select id from run_seen where run_id = ? and type = ?)",
            (since.isoformat(), type_name, run_id, type_name),
        )
    return cursor.rowcount


def record_dangling(
    conn: sqlite3.Connection, run_id: int, found: Iterable[tuple[str, str, str, str, str]]
) -> None:
    """The references Looker itself held dangling when the run completed (references.py)."""
    with conn:
        conn.execute("delete from run_dangling where run_id = ?", (run_id,))
        conn.executemany(
            "insert into run_dangling values (?, ?, ?, ?, ?, ?)", ((run_id, *f) for f in found)
        )


def recorded_dangling(
    conn: sqlite3.Connection, run_id: int
) -> set[tuple[str, str, str, str, str]] | None:
    """What `record_dangling` kept for the run; None for a backup made before runs kept it."""
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    if "run_dangling" not in tables:
        return None
    rows = conn.execute(
        "select type, id, field, target_type, target_id from run_dangling where run_id = ?",
        (run_id,),
    )
    return {(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def run_counts(conn: sqlite3.Connection, run_id: int) -> dict[str, int]:
    rows = conn.execute(
        "select type, count(*) from run_seen where run_id = ? group by type", (run_id,)
    )
    return {r[0]: r[1] for r in rows}


def finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    *,
    status: str,
    finished_at: datetime,
    counts: dict[str, int],
    errors: Sequence[str],
) -> None:
    """Close a run; a complete run forgets its resume bookkeeping, a failed one keeps it."""
    with _transaction(conn):
        conn.execute(
            "update runs set status = ?, finished_at = ?, counts = ?, errors = ? where id = ?",
            (status, finished_at.isoformat(), json.dumps(counts), json.dumps(list(errors)), run_id),
        )
        if status == "complete":
            conn.execute("delete from run_pages where run_id = ?", (run_id,))
            conn.execute("delete from run_seen where run_id = ?", (run_id,))


def open_read_only(db_path: Path, immutable: bool = False) -> sqlite3.Connection:
    """Open an existing database without writing to it, whatever characters its path holds.

    `immutable`: nobody changes the file (a cached snapshot), so SQLite writes nothing beside
    it, not even the `-wal` and `-shm` files of a WAL-mode database.
    """
    if not db_path.is_file():
        raise UsageError(
            f"Database {db_path} does not exist.",
            "Pass the path of a looker.db made by `lookervault extract`.",
        )
    return dbfile.connect(db_path, "ro", immutable=immutable, any_thread=True)


def last_complete_run(conn: sqlite3.Connection) -> Run | None:
    """The newest extraction run that completed: what a backup's content is as of."""
    row = conn.execute(
        f"select {_RUN_COLUMNS} from runs where status = 'complete' order by id desc limit 1"
    ).fetchone()
    if row is None:
        return None
    return _run(row)


def current_items(
    conn: sqlite3.Connection, type_name: str | None = None
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, id, object) of every item (of one type) Looker still had at the last run,
    soft-deleted ones included, in type and id order."""
    for found_type, item_id, data in _current_rows(conn, type_name):
        yield found_type, item_id, json.loads(data)


def _current_rows(
    conn: sqlite3.Connection, type_name: str | None
) -> Iterator[tuple[str, str, str]]:
    query = "select type, id, data from content where missing_since is null"
    if type_name is None:
        return iter(conn.execute(f"{query} order by type, id"))
    return iter(conn.execute(f"{query} and type = ? order by id", (type_name,)))


def read_items(db_path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Every current item of a database as type -> id -> object (for comparisons)."""
    conn = open_read_only(db_path)
    try:
        return {name: dict(found.items()) for name, found in _items(conn).items()}
    finally:
        conn.close()


def current_summaries(conn: sqlite3.Connection) -> Iterator[Summary]:
    """The columns of every item `current_items` yields, in the same order, objects left out."""
    rows = conn.execute(
        "select type, id, title, folder_id, owner_id, updated_at, deleted from content"
        " where missing_since is null order by type, id"
    )
    for type_name, item_id, title, folder_id, owner_id, updated_at, deleted in rows:
        yield Summary(type_name, item_id, title, folder_id, owner_id, updated_at, bool(deleted))


def current_item(conn: sqlite3.Connection, type_name: str, item_id: str) -> dict[str, Any] | None:
    """One item `current_items` would yield, or None."""
    row = conn.execute(
        "select data from content where type = ? and id = ? and missing_since is null",
        (type_name, item_id),
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


class StoredObjects(Mapping[str, dict[str, Any]]):
    """One type's objects by id, each decoded from its stored JSON the first time it is read:
    restoring one dashboard reads a handful of a backup's thousands of objects."""

    def __init__(self) -> None:
        self._objects: dict[str, str | dict[str, Any]] = {}
        self._lock = threading.Lock()

    def __getitem__(self, item_id: str) -> dict[str, Any]:
        with self._lock:  # one decoded object per id, whichever thread reads it first
            found = self._objects[item_id]
            if isinstance(found, str):
                found = self._objects[item_id] = json.loads(found)
            return found

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._objects

    def __iter__(self) -> Iterator[str]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)

    def add(self, item_id: str, data: str) -> None:
        self._objects[item_id] = data


def _items(conn: sqlite3.Connection) -> dict[str, StoredObjects]:
    items: dict[str, StoredObjects] = {}
    for type_name, item_id, data in _current_rows(conn, None):
        items.setdefault(type_name, StoredObjects()).add(item_id, data)
    return items


@dataclass(frozen=True)
class Backup:
    """A backup's content as of its last completed extraction run: type -> id -> object."""

    path: Path
    run: Run
    items: dict[str, StoredObjects]
    instance: InstanceUrls = field(default_factory=InstanceUrls)
    """The URLs the instance gave for itself during that run."""

    def get(self, type_name: str, item_id: str) -> dict[str, Any] | None:
        found = self.items.get(type_name)
        return None if found is None else found.get(item_id)


def read_backup(db_path: Path, immutable: bool = False) -> Backup:
    """Every current item, each decoded when first read; refuse a file that holds no completed
    extraction run (a
    half-done extraction is not what Looker held at any moment). `immutable` as for
    `open_read_only`."""
    conn = open_read_only(db_path, immutable)
    try:
        try:
            run = last_complete_run(conn)
            items = _items(conn)
            instance = run_instance(conn, run.id) if run else InstanceUrls()
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise UsageError(
                f"{db_path} is not a LookerVault database ({exc}).",
                "Pass a looker.db made by `lookervault extract`, or use a snapshot.",
            ) from exc
    finally:
        conn.close()
    if run is None:
        raise UsageError(
            f"{db_path} holds no completed extraction run, so it is not a whole backup.",
            f"Run `lookervault extract --resume --db {db_path}` to finish the extraction, "
            "or use a snapshot.",
        )
    return Backup(db_path, run, items, instance)


def current_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Items per type still present in Looker at the last run (soft-deleted ones included)."""
    rows = conn.execute(
        "select type, count(*) from content where missing_since is null group by type"
    )
    return {r[0]: r[1] for r in rows}


def content_counts(db_path: Path) -> dict[str, int]:
    conn = open_read_only(db_path)
    try:
        return current_counts(conn)
    finally:
        conn.close()


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """`begin` ... `commit`, or `rollback` on error (the connection runs in autocommit mode)."""
    conn.execute("begin immediate")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk does)
            conn.execute("rollback")
        raise
    conn.execute("commit")
