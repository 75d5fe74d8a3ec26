"""`lookervault export` and `import`: a backup as a YAML tree for git, and back."""

from __future__ import annotations

from pathlib import Path

import click

from lookervault.cli.common import json_option, print_json
from lookervault.cli.content import backup, backup_options
from lookervault.content.export import export_backup


@click.command(name="export")
@backup_options
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the YAML tree: new, empty, or an earlier export (updated in place).",
)
@json_option
def export_command(
    db_path: Path | None, snapshot_ref: str | None, instance: str | None, out: Path, as_json: bool
) -> None:
    """Write the backup as one YAML file per item, in folders as in Looker."""
    with backup(
        db_path, snapshot_ref, instance, "lookervault export --db looker.db --out DIR"
    ) as conn:
        result = export_backup(conn, out)
    if as_json:
        print_json(result.record())
        return
    total = sum(result.counts.values())
    click.echo(
        f"Exported {total} items from {result.looker_host} into {out}: {result.written} "
        f"file(s) written, {result.unchanged} unchanged, {result.removed} removed."
    )


@click.command(name="import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The database to create (`restore --db` reads it).",
)
@click.option("--overwrite", is_flag=True, help="Replace --db if it exists.")
@json_option
def import_command(directory: Path, db_path: Path, overwrite: bool, as_json: bool) -> None:
    """Build a database from an export's YAML tree (edits and moves included)."""
    # Rows are built as extraction builds them, which loads looker_sdk: only for this command.
    from lookervault.content.importer import import_tree

    result = import_tree(directory, db_path, overwrite)
    if as_json:
        print_json(result.record())
        return
    total = sum(result.counts.values())
    moved = f", {result.moved} moved to another folder" if result.moved else ""
    click.echo(
        f"Imported {total} items ({result.looker_host}) into {db_path}{moved}. "
        f"See what a restore would change: lookervault restore --db {db_path} --dry-run"
    )
