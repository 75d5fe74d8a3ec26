"""`lookervault snapshot diff`: what changed between two snapshots, or a snapshot and a database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from lookervault.cli.common import console, counts_table, instance_option, json_option, print_json
from lookervault.config import load_settings
from lookervault.errors import UsageError
from lookervault.gcs import make_client
from lookervault.looker.content_types import TYPE_NAMES
from lookervault.looker.diff import KINDS, ItemChange
from lookervault.restore.source import parse_id_option
from lookervault.snapshot.diff import (
    ItemDetail,
    Key,
    Report,
    Side,
    diff_snapshots,
    diff_with_database,
)

SHOWN_PER_TYPE = 20
VALUE_WIDTH = 70


@click.command(name="diff")
@click.argument("ref")
@click.argument("more", nargs=-1, metavar="[REF_B] [TYPES]...")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Compare the snapshot with this looker.db (e.g. a fresh `lookervault extract`).",
)
@click.option(
    "--id",
    "item",
    metavar="TYPE:ID",
    help="Only this item, field by field; other changes are left out.",
)
@click.option("--no-cache", is_flag=True, help="Download into a temporary folder, not the cache.")
@click.option("--verbose", "-v", is_flag=True, help="List every change (default: 20 per type).")
@instance_option
@json_option
def diff(
    ref: str,
    more: tuple[str, ...],
    db_path: Path | None,
    item: str | None,
    no_cache: bool,
    verbose: bool,
    instance: str | None,
    as_json: bool,
) -> None:
    """What changed from snapshot REF to snapshot REF_B, or to the database given with --db.

    Per type: items added, removed, changed (and which fields), soft-deleted and undeleted.
    `diff 2 1` shows what changed between the second newest snapshot and the newest; with
    --id TYPE:ID, only that item, field by field.
    """
    if db_path is None and not more:
        raise UsageError(
            "Give two snapshots, or one snapshot and --db.",
            "For example `lookervault snapshot diff 2 1` or "
            "`lookervault snapshot diff 1 --db looker.db`.",
        )
    ref_after, types = (None, more) if db_path is not None else (more[0], more[1:])
    key = parse_id_option([item])[0] if item else None
    _check_types(types, key)
    settings = load_settings(instance=instance)
    settings.require_bucket()
    client = make_client(settings.project)
    use_cache = not no_cache
    if db_path is not None:
        report = diff_with_database(client, settings, ref, db_path, types, key, use_cache)
    else:
        assert ref_after is not None
        report = diff_snapshots(client, settings, ref, ref_after, types, key, use_cache)
    if not report.same_host:
        click.echo(
            f"Warning: the two sides come from different Looker hosts ({report.before.looker_host}"
            f", {report.after.looker_host}). Items are matched by id, and ids differ between "
            "instances.",
            err=True,
        )
    if as_json:
        print_json(report.record())
        return
    _show_sides(report)
    if report.item is not None:
        _show_item(report.item)
        return
    _show_changes(report, verbose)


def _check_types(types: tuple[str, ...], key: Key | None) -> None:
    """Exit 2 before any download: an unknown type, or --id outside the types given."""
    unknown = [t for t in types if t not in TYPE_NAMES]
    if unknown:
        raise UsageError(
            f"Unknown content type(s): {', '.join(unknown)}.",
            "Types: " + ", ".join(TYPE_NAMES) + ".",
        )
    if key is not None and types and key[0] not in types:
        raise UsageError(
            f"--id {key[0]}:{key[1]} is outside the types given ({', '.join(types)}).",
            "Leave the types out: --id alone compares only that item.",
        )


def _show_sides(report: Report) -> None:
    for word, side in (("From", report.before), ("To", report.after)):
        click.echo(f"{word:<5} {side.label}: {_where(side)}")


def _where(side: Side) -> str:
    text = f"Looker {side.looker_host}, extracted {side.extracted_at:%Y-%m-%d %H:%M:%S} UTC"
    if side.snapshot is not None:
        text += ", downloaded and verified" if side.downloaded else ", from the local cache"
    return text


def _show_changes(report: Report, verbose: bool) -> None:
    counts = report.diff.counts()
    if not counts:
        click.echo(f"No changes in {report.diff.compared} items compared.")
        return
    console.print(counts_table("Changes", KINDS, counts))
    shown: dict[str, int] = {}
    for change in report.diff.changes:
        shown[change.type] = shown.get(change.type, 0) + 1
        if verbose or shown[change.type] <= SHOWN_PER_TYPE:
            click.echo(describe_change(change))
    hidden = sum(max(0, n - SHOWN_PER_TYPE) for n in shown.values())
    if hidden and not verbose:
        click.echo(f"  ... and {hidden} more (-v lists every change, --json too).")


def describe_change(change: ItemChange) -> str:
    """One line per changed item: what happened, to what, and which fields."""
    text = f"  {change.kind:<12} {change.type} {change.id} {change.title!r}"
    details = []
    if change.old_title is not None:
        details.append(f"was {change.old_title!r}")
    if change.fields:
        details.append(", ".join(change.fields))
    return text + (f" ({'; '.join(details)})" if details else "")


def _show_item(detail: ItemDetail) -> None:
    change = detail.change
    state = change.kind if change else "unchanged"
    title = f" {change.title!r}" if change else ""
    click.echo(f"{detail.type} {detail.id}{title}: {state}")
    counted = [f for f in detail.fields if not f.ignored]
    for found in counted:
        if found.absent_before:
            click.echo(f"  {found.path}: added {_short(found.new)}")
        elif found.absent_after:
            click.echo(f"  {found.path}: removed (was {_short(found.old)})")
        else:
            click.echo(f"  {found.path}: {_short(found.old)} -> {_short(found.new)}")
    ignored = sorted({f.path for f in detail.fields if f.ignored})
    if ignored:
        click.echo(
            "  Also different, but maintained by Looker (not counted as changes): "
            + ", ".join(ignored)
        )


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."
