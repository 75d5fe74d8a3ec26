"""`export`: a backup as a tree of YAML files (`tree.py`) that diffs cleanly in git.

The same backup always gives the same bytes: keys sorted, stable file names, and none of the
fields that change when content is only used (`compare.ACTIVITY`: view and favourite counts,
last viewed, logins, schedule runs), so two exports of unchanged content are identical and a
real change is a small diff. Exporting into the directory of an earlier export updates it in
place: changed files are rewritten, files of items that are gone are removed, and anything
that is not an item's YAML file (`.git`, a README) is left alone.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lookervault.content import tree, yamltext
from lookervault.errors import RuntimeFailure, UsageError
from lookervault.looker import store
from lookervault.looker.compare import ACTIVITY
from lookervault.looker.content_types import BY_NAME, FOLDERS


@dataclass
class ExportResult:
    directory: Path
    looker_host: str
    counts: dict[str, int] = field(default_factory=dict)
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def record(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "looker_host": self.looker_host,
            "counts": self.counts,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


def without_activity(value: Any) -> Any:
    """The object minus `ACTIVITY` fields, at any depth (a tile's look has a view count)."""
    if isinstance(value, dict):
        return {k: without_activity(v) for k, v in value.items() if k not in ACTIVITY}
    if isinstance(value, list):
        return [without_activity(v) for v in value]
    return value


def export_backup(conn: sqlite3.Connection, out: Path) -> ExportResult:
    """Write (or bring up to date) the YAML tree of the backup in `out`."""
    run = store.last_complete_run(conn)
    if run is None:
        raise UsageError(
            "The database holds no completed extraction run, so it is not a whole backup.",
            "Finish the extraction with `lookervault extract --resume`, or export a snapshot.",
        )
    _check_target(out)
    result = ExportResult(out, run.looker_host)
    manifest = {"format": tree.FORMAT, "looker_host": run.looker_host}
    if run.looker_version:
        manifest["looker_version"] = run.looker_version
    written = {PurePosixPath(tree.MANIFEST)}
    _write(out / tree.MANIFEST, yamltext.dump(manifest), result)
    folders = {item_id: item for _, item_id, item in store.current_items(conn, FOLDERS)}
    dirs = tree.folder_dirs(folders)
    for type_name, item_id, item in _items(conn):
        path = tree.item_path(type_name, item_id, item, dirs)
        written.add(path)
        _write(out / path, yamltext.dump(without_activity(item)), result)
        result.counts[type_name] = result.counts.get(type_name, 0) + 1
    result.removed = _remove_stale(out, written)
    return result


def _items(conn: sqlite3.Connection) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for type_name, item_id, item in store.current_items(conn):
        if type_name in BY_NAME:
            yield type_name, item_id, item


def _check_target(out: Path) -> None:
    """An empty or new directory, or one holding an earlier export; never anything else."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a directory.", "Pass a directory to --out.")
    if not out.is_dir() or (out / tree.MANIFEST).is_file():
        return
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if visible:
        raise UsageError(
            f"{out} holds files that are not a LookerVault export ({', '.join(visible[:3])}).",
            "Export into a new or empty directory, or into an earlier export.",
        )


def _write(path: Path, text: str, result: ExportResult) -> None:
    data = text.encode("utf-8")
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            result.unchanged += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        error = RuntimeFailure if exc.errno in (errno.ENOSPC, errno.EDQUOT) else UsageError
        raise error(
            f"Cannot write {path} ({exc.strerror or exc}).",
            "Export into a directory you can write, with space to spare, and run it again.",
        ) from exc
    result.written += 1


def _remove_stale(out: Path, written: set[PurePosixPath]) -> int:
    """Remove item files of an earlier export that this one did not write, then the
    directories that leaves empty; other files stay."""
    removed = 0
    for top in (FOLDERS, *tree.TOP_LEVEL):
        root = out / top
        if not root.is_dir():
            continue
        for folder, _, filenames in os.walk(root, topdown=False):
            here = Path(folder)
            for filename in filenames:
                relative = PurePosixPath((here / filename).relative_to(out).as_posix())
                if filename.endswith(tree.SUFFIX) and relative not in written:
                    (here / filename).unlink()
                    removed += 1
            if not any(here.iterdir()):
                here.rmdir()
    return removed
