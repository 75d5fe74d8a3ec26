"""The checks of the integrity chain (DESIGN.md section 3) that do not talk to the network."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from google_crc32c import extend as crc32c_extend

from lookervault import dbfile
from lookervault.errors import UsageError

CHUNK_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Digest:
    """Size and checksums of a byte stream, in the encodings GCS uses."""

    size: int
    crc32c: str
    sha256: str


class Hasher:
    """CRC32C (base64, as GCS reports it), SHA-256 and size of bytes fed in order; a checksum
    left out is "" in the digest."""

    def __init__(self, with_sha256: bool = True, with_crc32c: bool = True) -> None:
        self._crc: int | None = 0 if with_crc32c else None
        self._sha = hashlib.sha256() if with_sha256 else None
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        if self._crc is not None:
            self._crc = int(crc32c_extend(self._crc, data))
        if self._sha is not None:
            self._sha.update(data)
        self.size += len(data)

    @property
    def crc32c(self) -> str:
        if self._crc is None:
            return ""
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


def checked_digest(path: Path) -> tuple[Digest, str | None]:
    """The file's digest, and what `sqlite_problems` finds wrong with it (None when ok).

    SQLite checks the pages in a second thread while this one hashes the bytes: both release
    the GIL, so on two cores the pair takes as long as the slower one.
    """
    with ThreadPoolExecutor(1) as pool:
        problems = pool.submit(sqlite_problems, path)
        digest = digest_file(path)
        return digest, problems.result()


def consistent_copy(source: Path, destination: Path) -> None:
    """Copy a live database with SQLite's online backup API (the caller checks the copy).

    The source is opened read-write (SQLite falls back to read-only for a file it may not
    write), though only read: a read-only reader of a WAL-mode database would leave `-wal`
    and `-shm` files beside it, which the last read-write connection removes on closing.
    The copy is scratch, removed if anything fails, so it is written without syncing.
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
                dst.execute("PRAGMA synchronous=OFF")
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
