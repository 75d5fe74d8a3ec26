"""`lookervault content list/show`: what a backup holds, from a looker.db or a snapshot."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from lookervault.cli.common import instance_option, json_option, print_json
from lookervault.config import load_settings
from lookervault.content import yamltext
from lookervault.content.backup import open_backup, snapshot_copy
from lookervault.content.listing import Entry, Filters, list_content, show
from lookervault.errors import UsageError
from lookervault.gcs import make_client
from lookervault.looker.content_types import TYPE_NAMES

F = TypeVar("F", bound=Callable[..., Any])


def backup_options(function: F) -> F:
    """--db PATH | --from-snapshot REF, and --instance for the snapshot's REF."""
    options = (
        click.option(
            "--db",
            "db_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Read this looker.db.",
        ),
        click.option(
            "--from-snapshot",
            "snapshot_ref",
            metavar="REF",
            help="Read a snapshot (index, latest, timestamp, name or gs:// URL), through the "
            "verified download and the local snapshot cache.",
        ),
        instance_option,
    )
    for option in reversed(options):
        function = option(function)
    return function


@contextlib.contextmanager
def backup(
    db_path: Path | None, snapshot_ref: str | None, instance: str | None, example: str
) -> Iterator[sqlite3.Connection]:
    """The backup named by --db or --from-snapshot, open read-only."""
    if (db_path is None) == (snapshot_ref is None):
        raise UsageError(
            "Give exactly one of --db and --from-snapshot.", f"For example `{example}`."
        )
    if db_path is not None:
        with open_backup(db_path) as conn:
            yield conn
        return
    assert snapshot_ref is not None
    settings = load_settings(instance=instance)
    path = snapshot_copy(make_client(settings.project), settings, snapshot_ref)
    with open_backup(path, immutable=True) as conn:
        yield conn


@click.group()
def content() -> None:
    """List and show the items a backup holds."""


@content.command(name="list")
@click.argument("types", nargs=-1, type=click.Choice(TYPE_NAMES))
@backup_options
@click.option("--search", metavar="TEXT", help="Only items whose title or name holds TEXT.")
@click.option("--folder", metavar="ID", help="Only items in this folder.")
@click.option("--recursive", is_flag=True, help="With --folder: in its subfolders too.")
@click.option("--owner", metavar="ID", help="Only items this user owns.")
@click.option(
    "--deleted/--no-deleted",
    default=None,
    help="Only items in Looker's trash, or only items not in it (default: both).",
)
@json_option
def list_command(
    types: tuple[str, ...],
    db_path: Path | None,
    snapshot_ref: str | None,
    instance: str | None,
    search: str | None,
    folder: str | None,
    recursive: bool,
    owner: str | None,
    deleted: bool | None,
    as_json: bool,
) -> None:
    """List the backup's items (of TYPES; all when none given), one row each."""
    if recursive and folder is None:
        raise UsageError("--recursive goes with --folder.", "Pass --folder ID as well.")
    filters = Filters(types, search, folder, recursive, owner, deleted)
    example = "lookervault content list dashboards --db looker.db --search revenue"
    with backup(db_path, snapshot_ref, instance, example) as conn:
        entries = list_content(conn, filters)
    if as_json:
        print_json({"total_count": len(entries), "items": [e.record() for e in entries]})
        return
    if not entries:
        click.echo("No items match.")
        return
    click.echo(_table(entries))


@content.command(name="show")
@click.argument("type_name", metavar="TYPE", type=click.Choice(TYPE_NAMES))
@click.argument("item_id", metavar="ID")
@backup_options
@click.option("--yaml", "as_yaml", is_flag=True, help="Print YAML instead of JSON.")
def show_command(
    type_name: str,
    item_id: str,
    db_path: Path | None,
    snapshot_ref: str | None,
    instance: str | None,
    as_yaml: bool,
) -> None:
    """Print one stored item as the backup holds it."""
    example = f"lookervault content show {type_name} {item_id} --db looker.db"
    with backup(db_path, snapshot_ref, instance, example) as conn:
        item = show(conn, type_name, item_id)
    if as_yaml:
        click.echo(yamltext.dump(item), nl=False)
    else:
        print_json(item)


HEADERS = ("type", "id", "title", "folder", "owner", "updated", "deleted")


def _table(entries: Sequence[Entry]) -> str:
    """Aligned columns that never wrap, so a row stays one line for grep."""
    rows = [HEADERS] + [
        (
            e.type,
            e.id,
            e.title or "",
            e.folder or "",
            e.owner or "",
            (e.updated_at or "")[:16].replace("T", " "),
            "yes" if e.deleted else "",
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
