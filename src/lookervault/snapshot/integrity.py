"""The checks of the integrity chain (DESIGN.md section 3) that do not talk to the network."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from google_crc32c import extend as crc32c_extend

from lookervault import dbfile
from lookervault.errors import IntegrityError, UsageError

CHUNK_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Digest:
    """Size and checksums of a byte stream, in the encodings GCS uses."""

    size: int
    crc32c: str
    sha256: str


class Hasher:
    """CRC32C (base64, as GCS reports it), SHA-256 and size of bytes fed in order."""

    def __init__(self, with_sha256: bool = True) -> None:
        self._crc = 0
        self._sha = hashlib.sha256() if with_sha256 else None
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self._crc = int(crc32c_extend(self._crc, data))
        if self._sha is not None:
            self._sha.update(data)
        self.size += len(data)

    @property
    def crc32c(self) -> str:
        return base64.b64encode(self._crc.to_bytes(4, "big")).decode("ascii")

    def digest(self) -> Digest:
        return Digest(self.size, self.crc32c, self._sha.hexdigest() if self._sha else "")


def digest_file(path: Path) -> Digest:
    hasher = Hasher()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.digest()


def sqlite_problems(path: Path) -> str | None:
    """What SQLite's `PRAGMA quick_check` finds wrong with a file, or None when it says ok.

    Only for a file nobody else writes (our copy, our download, the job's closed database):
    it is opened immutable, so a WAL-mode file gets no `-wal`/`-shm` files beside it.
    """
    try:
        connection = dbfile.connect(path, "ro", immutable=True)
        try:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return f"not a readable SQLite database ({exc})"
    if rows == [("ok",)]:
        return None
    return "SQLite's integrity check failed: " + "; ".join(str(row[0]) for row in rows[:3])


def quick_check(path: Path) -> None:
    """Fail unless SQLite's `PRAGMA quick_check` says ok (see `sqlite_problems`)."""
    problems = sqlite_problems(path)
    if problems:
        raise IntegrityError(
            f"{path.name} is damaged: {problems}.", "The data is damaged; use another snapshot."
        )


def consistent_copy(source: Path, destination: Path) -> None:
    """Copy a live database with SQLite's online backup API, then quick_check the copy.

    The source is opened read-write (SQLite falls back to read-only for a file it may not
    write), though only read: a read-only reader of a WAL-mode database would leave `-wal`
    and `-shm` files beside it, which the last read-write connection removes on closing.
    """
    if not source.is_file():
        raise UsageError(
            f"Database {source} does not exist.",
            "Pass --source with the path of your looker.db, or run `lookervault extract` first.",
        )
    try:
        src = dbfile.connect(source, "rw")
        try:
            dst = dbfile.connect(destination)
            try:
                src.backup(dst, pages=0)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise UsageError(
            f"{source} is not a readable SQLite database ({exc}).",
            "Pass the path of a looker.db made by `lookervault extract`.",
        ) from exc
    problems = sqlite_problems(destination)
    if problems:
        raise UsageError(
            f"{source} is damaged: {problems}.",
            "It cannot be backed up. Run `lookervault extract` into a new file and upload that.",
        )
