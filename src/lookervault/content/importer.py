"""`import`: a database from an export's YAML tree, which `restore --db` accepts.

Every item file becomes one content row, written the way extraction writes it, under one
completed run that records the Looker host of the export: restore then knows whether its
target is the instance the content came from. What a person changed in the tree becomes the
change: an edited field is that field; a look, dashboard or folder moved to another folder
directory gets that folder (the place wins over the id written inside the file).

A tree that is not exactly an export (a file where no item goes, two files with one item,
YAML that is not an object) is refused as a whole, naming the files; nothing is written.
The database is built beside its destination and renamed into place only when complete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from lookervault.content import tree, yamltext
from lookervault.errors import UsageError
from lookervault.looker import store
from lookervault.looker.content_types import BY_NAME, DEFAULT_PAGE_SIZE, FILED, FOLDERS, TYPE_NAMES
from lookervault.looker.extract import to_row

SHOWN_PROBLEMS = 10


@dataclass
class Tree:
    """What an export directory holds: its manifest and each item with the file it came from."""

    looker_host: str
    looker_version: str | None
    items: dict[str, dict[str, tuple[dict[str, Any], Path]]] = field(default_factory=dict)
    moved: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    database: Path
    looker_host: str
    counts: dict[str, int]
    moved: int

    def record(self) -> dict[str, Any]:
        return {
            "database": str(self.database),
            "looker_host": self.looker_host,
            "counts": self.counts,
            "moved": self.moved,
        }


def import_tree(directory: Path, database: Path, overwrite: bool = False) -> ImportResult:
    """Read the tree in `directory` and write it as the database `database`."""
    if database.exists() and not overwrite:
        raise UsageError(
            f"{database} already exists.", "Pass another --db path, or --overwrite to replace it."
        )
    if database.is_dir():
        raise UsageError(f"{database} is a directory.", "Pass the path of a database file.")
    found = read_tree(directory)
    counts = _write_database(found, database)
    return ImportResult(database, found.looker_host, counts, found.moved)


def read_tree(directory: Path) -> Tree:
    """Every item of an export directory; UsageError naming what is not as an export has it."""
    manifest = _manifest(directory)
    found = Tree(str(manifest["looker_host"]), _text(manifest.get("looker_version")))
    for entry in _visible(directory):
        if entry.name == FOLDERS and entry.is_dir():
            for top in _visible(entry):
                _folder(found, top, parent=None)
        elif entry.name in tree.TOP_LEVEL and entry.is_dir():
            for path in _visible(entry):
                _item(found, entry.name, path, folder=None)
        elif entry.name != tree.MANIFEST:
            _stray(found, entry)
    if found.problems:
        shown = "\n".join(f"  {p}" for p in found.problems[:SHOWN_PROBLEMS])
        more = len(found.problems) - SHOWN_PROBLEMS
        raise UsageError(
            f"{directory} is not a LookerVault export as it stands:\n{shown}"
            + (f"\n  ... and {more} more" if more > 0 else ""),
            "Fix or remove those files (an export writes them as `lookervault export` does), "
            "then import again.",
        )
    return found


def _manifest(directory: Path) -> dict[str, Any]:
    path = directory / tree.MANIFEST
    if not path.is_file():
        raise UsageError(
            f"{directory} holds no {tree.MANIFEST}, so it is not a LookerVault export.",
            "Pass a directory written by `lookervault export`.",
        )
    manifest = _load(path)
    if not isinstance(manifest, dict) or not manifest.get("looker_host"):
        raise UsageError(
            f"{path} does not name the Looker host of the export.",
            "Restore it from the export (`git checkout`), or export again.",
        )
    if manifest.get("format") != tree.FORMAT:
        raise UsageError(
            f"{path} is format {manifest.get('format')!r}; this LookerVault reads "
            f"format {tree.FORMAT}.",
            "Import it with the LookerVault version that exported it.",
        )
    return manifest


def _folder(found: Tree, directory: Path, parent: str | None) -> None:
    """A folder directory: its `_folder.yaml`, its looks and dashboards, its subfolders."""
    if not directory.is_dir():
        _stray(found, directory)
        return
    own = directory / tree.FOLDER_FILE
    if not own.is_file():
        found.problems.append(
            f"{directory}: a folder directory without {tree.FOLDER_FILE} "
            "(folders cannot be created by import; move files into existing folders)"
        )
        return
    folder_id = _item(found, FOLDERS, own, folder=parent)
    if folder_id is None:
        return
    for entry in _visible(directory):
        if entry.name == tree.FOLDER_FILE:
            continue
        if entry.name in FILED and entry.is_dir():
            for path in _visible(entry):
                _item(found, entry.name, path, folder=folder_id)
        elif entry.is_dir():
            _folder(found, entry, parent=folder_id)
        else:
            _stray(found, entry)


def _item(found: Tree, type_name: str, path: Path, folder: str | None) -> str | None:
    """Read one item file; `folder` (when inside a folder directory) becomes its folder."""
    if not path.is_file() or not path.name.endswith(tree.SUFFIX):
        _stray(found, path)
        return None
    ct = BY_NAME[type_name]
    try:
        item = _load(path)
    except UsageError as exc:
        found.problems.append(exc.message)
        return None
    if not isinstance(item, dict) or item.get(ct.id_field) in (None, ""):
        found.problems.append(f"{path}: not a {type_name} object with an {ct.id_field!r}")
        return None
    item_id = str(item[ct.id_field])
    earlier = found.items.setdefault(type_name, {}).get(item_id)
    if earlier is not None:
        found.problems.append(f"{path}: {type_name} {item_id} is also in {earlier[1]}")
        return None
    if folder is not None and ct.folder_field and _text(item.get(ct.folder_field)) != folder:
        item[ct.folder_field] = folder
        found.moved += 1
    found.items[type_name][item_id] = (item, path)
    return item_id


def _stray(found: Tree, path: Path) -> None:
    """Only item files matter: other files (a README) are fine, a stray item file is not."""
    if path.is_dir() or path.name.endswith(tree.SUFFIX):
        found.problems.append(f"{path}: not a place where an export puts an item")


def _visible(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if not p.name.startswith("."))


def _load(path: Path) -> Any:
    try:
        return yamltext.load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid YAML ({exc})") from exc


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _write_database(found: Tree, database: Path) -> dict[str, int]:
    types = [name for name in TYPE_NAMES if found.items.get(name)]
    with _beside(database) as building:
        conn = store.connect(building)
        try:
            run_id = store.start_run(
                conn,
                types=types,
                page_size=DEFAULT_PAGE_SIZE,
                workers=1,
                looker_host=found.looker_host,
                started_at=datetime.now(UTC),
            )
            store.mark_running(conn, run_id, found.looker_version or "")
            for type_name in types:
                ct = BY_NAME[type_name]
                rows = [to_row(ct, item) for item, _ in found.items[type_name].values()]
                for offset in range(0, len(rows), DEFAULT_PAGE_SIZE):
                    page = rows[offset : offset + DEFAULT_PAGE_SIZE]
                    store.write_page(conn, run_id, (type_name, 0, offset), page, len(page))
            counts = store.run_counts(conn, run_id)
            store.finish_run(
                conn,
                run_id,
                status="complete",
                finished_at=datetime.now(UTC),
                counts=counts,
                errors=[],
            )
        finally:
            conn.close()
    return counts


@contextlib.contextmanager
def _beside(database: Path) -> Iterator[Path]:
    """A new file in the destination's folder, renamed over it on success, removed otherwise."""
    if not database.parent.is_dir():
        raise UsageError(
            f"Cannot create {database}: {database.parent} is not a directory.",
            "Create the directory or pass another --db path.",
        )
    building = database.with_name(f".{database.name}.{secrets.token_hex(6)}.importing")
    try:
        yield building
        for stale in _journals(database):  # they belong to the file being replaced
            stale.unlink(missing_ok=True)
        os.replace(building, database)
    finally:
        for leftover in (building, *_journals(building)):
            leftover.unlink(missing_ok=True)


def _journals(database: Path) -> tuple[Path, Path]:
    return Path(f"{database}-wal"), Path(f"{database}-shm")
