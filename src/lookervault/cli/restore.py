"""`lookervault restore`: put a backup back into Looker (plan, confirm, apply)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from lookervault.audit import local_actor
from lookervault.cli.common import (
    confirm_or_refuse,
    console,
    counts_table,
    instance_option,
    json_option,
    local_recorder,
    looker_options,
    print_json,
)
from lookervault.config import Settings, load_settings
from lookervault.errors import RuntimeFailure, UsageError
from lookervault.looker.content_types import TYPE_NAMES

if TYPE_CHECKING:
    from lookervault.restore.apply import Outcome
    from lookervault.restore.plan import Step
    from lookervault.restore.service import Report, Restore

ACTIONS = ("create", "update", "undelete", "unchanged", "skip")


@click.command(name="restore")
@click.argument("types", nargs=-1, type=click.Choice(TYPE_NAMES))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Restore from this looker.db.",
)
@click.option(
    "--from-snapshot",
    "snapshot_ref",
    metavar="REF",
    help="Restore from a snapshot: index (1 = newest), latest, timestamp, name or gs:// URL.",
)
@click.option("--id", "ids", multiple=True, metavar="TYPE:ID", help="One item (repeatable).")
@click.option("--folder", metavar="ID", help="The content of one folder of the backup.")
@click.option("--recursive", is_flag=True, help="With --folder: its subfolders too.")
@click.option("--dry-run", is_flag=True, help="Show the plan; write nothing to Looker.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--enable-schedules",
    is_flag=True,
    help="In another instance, keep schedules and alerts enabled as backed up "
    "(default: created disabled, so nobody is mailed by surprise).",
)
@click.option(
    "--same-instance/--other-instance",
    "same_instance",
    default=None,
    help="Treat the target as the instance the backup came from, or as another one "
    "(default: decided from what both say of themselves; the plan says how).",
)
@click.option(
    "--lookml-import/--no-lookml-import",
    default=True,
    help="Create a dashboard from its backed-up LookML in one call, then fix what that does "
    "not carry (default), or part by part.",
)
@click.option(
    "--fallback-owner",
    metavar="EMAIL",
    help="Who owns restored content whose owner is in neither the backup nor Looker (a user "
    "who left): the target user with this email (default: the API user).",
)
@click.option("--retry-failed", is_flag=True, help="Only the items that failed in the last run.")
@click.option("--verbose", "-v", is_flag=True, help="List every item of the plan.")
@looker_options
@instance_option
@json_option
def restore(
    types: tuple[str, ...],
    db_path: Path | None,
    snapshot_ref: str | None,
    ids: tuple[str, ...],
    folder: str | None,
    recursive: bool,
    dry_run: bool,
    yes: bool,
    enable_schedules: bool,
    same_instance: bool | None,
    lookml_import: bool,
    fallback_owner: str | None,
    retry_failed: bool,
    verbose: bool,
    workers: int,
    rate_limit: float | None,
    max_retries: int,
    looker_ini: str,
    section: str | None,
    instance: str | None,
    as_json: bool,
) -> None:
    """Restore Looker content (all TYPES when none given) from a database or a snapshot."""
    # looker_sdk and the restore engine load only for this command.
    from lookervault.looker.client import RetryPolicy
    from lookervault.looker.client import load_settings as looker_settings
    from lookervault.restore import service
    from lookervault.restore.source import parse_id_option

    if (db_path is None) == (snapshot_ref is None):
        raise UsageError(
            "Give exactly one of --db and --from-snapshot.",
            "For example `lookervault restore --db looker.db --dry-run`.",
        )
    if recursive and folder is None:
        raise UsageError("--recursive goes with --folder.", "Pass --folder ID as well.")
    if retry_failed and (types or ids or folder):
        raise UsageError("--retry-failed takes no other selection.", "Drop TYPES, --id, --folder.")
    selection = service.Selection(
        types, tuple(parse_id_option(ids)), folder, recursive, retry_failed
    )
    settings = load_settings(instance=instance)
    sdk = looker_settings(looker_ini, section)
    with _database(settings, db_path, snapshot_ref) as database:
        prepared = service.prepare(
            database,
            sdk,
            selection,
            settings,
            workers=workers,
            retry=RetryPolicy(max_attempts=max_retries + 1),
            rate_limit_per_s=rate_limit,
            enable_schedules=enable_schedules,
            same_instance=same_instance,
            fallback_owner=fallback_owner,
        )
        try:
            source = snapshot_ref or str(db_path)
            _run(prepared, settings, dry_run, yes, verbose, as_json, source, lookml_import)
        finally:
            prepared.close()


@contextlib.contextmanager
def _database(settings: Settings, db_path: Path | None, ref: str | None) -> Iterator[Path]:
    if db_path is not None:
        yield db_path
        return
    from lookervault.gcs import make_client
    from lookervault.restore.service import snapshot_database

    assert ref is not None
    with snapshot_database(make_client(settings.project), settings, ref) as database:
        yield database


def _run(
    prepared: Restore,
    settings: Settings,
    dry_run: bool,
    yes: bool,
    verbose: bool,
    as_json: bool,
    source: str,
    lookml_import: bool,
) -> None:
    from lookervault.restore.service import execute

    plan = prepared.plan
    route = prepared.route_note(lookml_import)
    if route is not None:
        prepared.notes.append(route)
    header = {
        "source": source,
        "source_host": plan.source.host,
        "target_host": plan.target.host,
        "same_instance": plan.resolver.same_instance,
        "instance": plan.resolver.identity.record(),
        "notes": prepared.notes,
        "adjusted": [step.record() for step in _adjusted(prepared)],
        "plan_seconds": round(prepared.seconds, 3),
    }
    if dry_run or not plan.writes:
        if as_json:
            steps = [step.record() for step in plan.steps.values()]
            print_json({"dry_run": dry_run, **header, "counts": plan.counts(), "steps": steps})
        else:
            _show_plan(prepared, verbose)
            click.echo("Dry run: nothing was written." if dry_run else "Nothing to restore.")
        return
    if not as_json:
        _show_plan(prepared, verbose)
    if not yes:
        confirm_or_refuse(
            f"Write {plan.writes} item(s) to Looker at {plan.target.host}?",
            "Refusing to write to Looker without confirmation.",
            "Pass --yes to restore without a prompt, or --dry-run to see the plan.",
        )
    with _progress(prepared, enabled=sys.stdout.isatty() and not as_json) as progress:
        report = execute(prepared, local_recorder(settings), local_actor(), progress, lookml_import)
    if as_json:
        items = [outcome.record() for outcome in report.outcomes]
        print_json(
            {
                "dry_run": False,
                **header,
                "counts": report.counts(),
                "write_requests": report.write_requests,
                "repeated_requests": report.repeated,
                "adopted": report.adopted,
                "apply_seconds": round(report.seconds, 3),
                "done_notes": report.notes,
                "items": items,
                "new_slugs": [slug.record() for slug in report.new_slugs],
                "failures": [o.record() for o in report.failed],
            }
        )
    else:
        _show_report(prepared, report, verbose)
    if report.failed:
        raise RuntimeFailure(
            f"{len(report.failed)} item(s) failed; every other item was restored.",
            "Fix the cause, then run the same command with --retry-failed "
            "(or again as it was: it only writes what is still missing).",
        )


def _show_plan(prepared: Restore, verbose: bool) -> None:
    plan = prepared.plan
    identity = plan.resolver.identity
    where = "the same instance" if identity.same else "another instance"
    click.echo(f"Restore from {plan.source.host} into {plan.target.host}: {where}.")
    click.echo(f"  Decided so because {identity.reason}.")
    console.print(counts_table("Plan", ACTIONS, plan.counts()))
    adjusted = {step.key for step in _adjusted(prepared)}
    for step in plan.steps.values():
        if verbose or (step.needed_by and step.action == "create") or step.key in adjusted:
            click.echo(_describe(step.record()))
    for note in prepared.notes:
        click.echo(f"Note: {note}")


def _adjusted(prepared: Restore) -> list[Step]:
    """Steps that will differ from the backup, or be left out, because of what Looker
    itself held dangling: each is named before anything is written."""
    from lookervault.restore.resolver import LOOKER_HELD

    return [
        step
        for step in prepared.plan.steps.values()
        if step.adjustments or (step.action == "skip" and LOOKER_HELD in (step.reason or ""))
    ]


def _describe(record: dict[str, Any]) -> str:
    text = f"  {record['action']:<9} {record['type']} {record['id']} {record['title']!r}"
    if record["changes"]:
        text += f" ({', '.join(record['changes'])})"
    if record["needed_by"]:
        text += f" [needed by {record['needed_by']}]"
    if record["reason"]:
        text += f": {record['reason']}"
    for adjustment in record["adjustments"]:
        text += f"\n      - {adjustment}"
    return text


def _show_report(prepared: Restore, report: Report, verbose: bool) -> None:
    from lookervault.restore.apply import RESULTS

    console.print(counts_table("Restored", RESULTS, report.counts()))
    waiting = [o for o in report.outcomes if o.result == "skipped" and o.error]
    for outcome in [*report.failed, *(waiting if verbose else [])]:
        step = outcome.step
        click.echo(
            f"  {outcome.result} {step.key[0]} {step.key[1]} {step.title!r}: {outcome.error}"
        )
    if waiting and not verbose:
        click.echo(
            f"  {len(waiting)} item(s) were skipped because something they need failed "
            "(-v lists them)."
        )
    for note in report.notes:
        click.echo(f"  Note: {note}")
    if report.repeated:
        click.echo(
            f"  {report.repeated} write request(s) were sent again after Looker gave no clear "
            f"answer; {report.adopted} create(s) had happened and were found instead of repeated."
        )
    for slug in report.new_slugs:
        click.echo(
            f"  dashboard {slug.key[1]} {slug.title!r} is now dashboard {slug.target_id} with "
            f"slug {slug.slug!r}: another dashboard holds its backed-up slug {slug.backed_up!r}, "
            "so links with that slug lead there."
        )
    click.echo(
        f"{report.write_requests} write request(s) to Looker at {prepared.plan.target.host}."
    )


@contextlib.contextmanager
def _progress(prepared: Restore, enabled: bool) -> Iterator[Callable[[Outcome], None] | None]:
    """A bar per type on a terminal."""
    if not enabled:
        yield None
        return
    totals: dict[str, int] = {}
    for key in prepared.plan.steps:
        totals[key[0]] = totals.get(key[0], 0) + 1
    bars = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        TextColumn("{task.completed:>6}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {name: bars.add_task(name, total=n) for name, n in totals.items()}

    def advance(outcome: Outcome) -> None:
        bars.advance(tasks[outcome.step.key[0]])

    with bars:
        yield advance
