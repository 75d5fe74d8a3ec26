"""Local copies of snapshots, always made by the verified download.

`temporary_copy`: a private directory removed afterwards whatever happens (restore, which must
leave nothing behind). `cached_copy`: a bounded cache in the state directory for commands
that read the same snapshots again and again (diff, content listing); an entry is named by the
object's name, generation and CRC32C, so a snapshot that changed is never answered from an old
copy, and the least recently used entries go once the cache is over its size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import google.cloud.storage as storage

from lookervault.config import Settings
from lookervault.snapshot.download import download_snapshot
from lookervault.snapshot.refs import Resolved

CACHE_FOLDER = "snapshots"
MB = 1024 * 1024


@contextlib.contextmanager
def temporary_copy(
    client: storage.Client, resolved: Resolved, work_dir: Path | None = None
) -> Iterator[Path]:
    """The snapshot as `looker.db` in a private temporary directory, removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="lookervault-snapshot-", dir=work_dir))
    try:
        database = folder / "looker.db"
        download_snapshot(client, resolved.bucket, resolved.snapshot, database)
        yield database
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cache_key(resolved: Resolved) -> str:
    snap = resolved.snapshot
    identity = f"{resolved.bucket}/{snap.name}#{snap.generation}:{snap.crc32c}"
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def cached_copy(
    client: storage.Client, resolved: Resolved, state_dir: Path, max_bytes: int
) -> tuple[Path, bool]:
    """The snapshot as a database in the cache; True when it had to be downloaded.

    Entries are never changed in place: a download lands beside the cache and is renamed in
    only once verified, so a reader never sees a half-written file.
    """
    folder = state_dir / CACHE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cache_key(resolved)}.db"
    if path.is_file():
        os.utime(path)
        return path, False
    with contextlib.suppress(FileExistsError):
        download_snapshot(client, resolved.bucket, resolved.snapshot, path)
    _evict(folder, max_bytes, keep=path)
    return path, True


def settings_cached_copy(
    client: storage.Client, settings: Settings, resolved: Resolved
) -> tuple[Path, bool]:
    """`cached_copy` in the settings' state directory, within `snapshot_cache_mb`."""
    return cached_copy(client, resolved, settings.state_dir, settings.snapshot_cache_mb * MB)


def _evict(folder: Path, max_bytes: int, keep: Path) -> None:
    """Remove the least recently used entries until the cache fits (never `keep`)."""
    entries = []
    for entry in folder.glob("*.db"):
        with contextlib.suppress(OSError):
            stat = entry.stat()
            entries.append((stat.st_mtime, stat.st_size, entry))
    total = sum(size for _, size, _ in entries)
    for _, size, entry in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        if entry == keep:
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            total -= size
