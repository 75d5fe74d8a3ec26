"""`lookervault verify`: is a backup whole? Exit 1 naming every problem."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from lookervault.cli.common import console, json_option, print_json
from lookervault.cli.content import backup, backup_options
from lookervault.content.verify import Verification, verify
from lookervault.errors import RuntimeFailure

SHOWN_REFERENCES = 50


@click.command(name="verify")
@backup_options
@json_option
def verify_command(
    db_path: Path | None, snapshot_ref: str | None, instance: str | None, as_json: bool
) -> None:
    """Check a backup: SQLite integrity, schema, a completed last run, counts, references."""
    source = str(db_path) if db_path is not None else f"snapshot {snapshot_ref}"
    with backup(db_path, snapshot_ref, instance, "lookervault verify --db looker.db") as conn:
        result = verify(conn)
    if as_json:
        print_json({"source": source, **result.record()})
    else:
        _show(source, result)
    if not result.ok:
        failed = {check.name for check in result.checks if not check.ok}
        hint = (
            "See the table above; a killed or failed extraction is finished with "
            "`lookervault extract --resume`."
        )
        if failed <= {"sqlite", "references"}:
            hint = (
                "See the table above: the file changed after its extraction, or is damaged. "
                "Use another snapshot, or extract again."
            )
        raise RuntimeFailure(
            f"{source} failed {result.problems} check(s): it is not a whole backup.", hint
        )


def _show(source: str, result: Verification) -> None:
    table = Table(title=f"Verify {source}", title_justify="left")
    for column in ("check", "result", "detail"):
        table.add_column(column)
    for check in result.checks:
        table.add_row(check.name, "ok" if check.ok else "FAILED", check.detail)
    console.print(table)
    for reference in result.dangling[:SHOWN_REFERENCES]:
        click.echo(f"  {reference}")
    more = len(result.dangling) - SHOWN_REFERENCES
    if more > 0:
        click.echo(f"  ... and {more} more dangling reference(s); --json lists them all.")
    for reference in result.held_by_looker[:SHOWN_REFERENCES]:
        click.echo(f"  Note: {reference}; Looker itself held it so")
    more = len(result.held_by_looker) - SHOWN_REFERENCES
    if more > 0:
        click.echo(f"  Note: ... and {more} more that Looker itself held; --json lists them.")
