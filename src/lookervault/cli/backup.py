"""`lookervault backup run/status`: the Cloud Run backup job, from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from lookervault.config import Settings, load_settings
from lookervault.errors import RuntimeFailure
from lookervault.snapshot import catalog

if TYPE_CHECKING:
    from lookervault.backup import cloudrun


@click.group(name="backup")
def backup() -> None:
    """Run the Cloud Run backup job and see how its executions went."""


@backup.command(name="run")
@click.option("--wait", is_flag=True, help="Wait for the execution to finish and show its outcome.")
@click.option("--json", "as_json", is_flag=True, help="Print the execution as JSON.")
def run(wait: bool, as_json: bool) -> None:
    """Start the backup job once; with --wait, exit 1 unless it succeeds."""
    from lookervault.backup import cloudrun  # the Cloud Run client loads only for these commands

    settings = load_settings()
    if wait and not as_json:
        click.echo(f"Starting job {settings.job} and waiting for it to finish...", err=True)
    summary = cloudrun.run_backup(settings, wait=wait)
    if as_json:
        _print_json(summary.to_record())
    elif wait:
        click.echo(
            f"Execution {summary.short_name} {summary.state} in "
            f"{_duration(summary.duration_seconds)}: {_tasks(summary)}."
        )
    else:
        click.echo(f"Started execution {summary.short_name} of job {settings.job}.")
        click.echo("Follow it with `lookervault backup status`.")
    if wait:
        cloudrun.ensure_succeeded(summary)


@backup.command(name="status")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="How many recent executions to show.",
)
@click.option(
    "--max-age",
    metavar="DURATION",
    help="Exit 1 unless every configured instance has a complete snapshot newer than this "
    "(e.g. 26h, 2d): a freshness check for any monitoring system.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(limit: int, max_age: str | None, as_json: bool) -> None:
    """Recent executions and the newest snapshot per instance."""
    from lookervault.backup import cloudrun

    settings = load_settings()
    if max_age is not None:
        _freshness(settings, max_age, as_json)
        return
    result = cloudrun.backup_status(settings, limit)
    if result.bucket is None:
        click.echo(
            "No bucket configured, so no snapshots shown; set LOOKERVAULT_BUCKET to see them.",
            err=True,
        )
    if as_json:
        _print_json(
            {
                "job": result.job,
                "executions": [e.to_record() for e in result.executions],
                "bucket": result.bucket,
                "latest_snapshots": [
                    catalog.to_record(snap, 1, result.bucket or "")
                    for snap in result.latest_snapshots
                ],
            }
        )
        return
    click.echo(f"Job {result.job}")
    if result.executions:
        rows = [["EXECUTION", "STATE", "STARTED (UTC)", "DURATION", "TASKS"]]
        rows += [
            [e.short_name, e.state, _when(e), _duration(e.duration_seconds), _tasks(e)]
            for e in result.executions
        ]
        _print_table(rows)
    else:
        click.echo("No executions yet; start one with `lookervault backup run`.")
    if result.bucket is not None:
        click.echo(f"\nNewest snapshot per instance in gs://{result.bucket}/{settings.prefix}")
        if result.latest_snapshots:
            rows = [["INSTANCE", "SNAPSHOT", "SIZE", "CREATED (UTC)"]]
            rows += [
                [s.instance, s.filename, f"{s.size_bytes:,} B", _utc(s.created)]
                for s in result.latest_snapshots
            ]
            _print_table(rows)
        else:
            click.echo("No snapshots yet.")


def _freshness(settings: Settings, max_age: str, as_json: bool) -> None:
    """One line per configured instance; exit 1 when one has no recent complete snapshot."""
    from lookervault.backup import cloudrun, freshness
    from lookervault.gcs import make_client
    from lookervault.snapshot.service import parse_duration

    limit = parse_duration(max_age, "--max-age")
    bucket = settings.require_bucket()
    found = freshness.check(make_client(settings.project), settings, limit, datetime.now(UTC))
    last = None
    if settings.project and settings.region:  # a monitoring host may not know the job
        last = next(iter(cloudrun.recent_executions(settings, 1)), None)
    stale = [f for f in found if not f.fresh]
    if as_json:
        _print_json(
            {
                "max_age_seconds": round(limit.total_seconds()),
                "fresh": not stale,
                "instances": [f.record(bucket) for f in found],
                "last_execution": last.to_record() if last else None,
            }
        )
    else:
        execution = f"{last.short_name} {last.state}" if last else "-"
        rows = [["INSTANCE", "NEWEST SNAPSHOT", "AGE", "LAST EXECUTION", "STATUS"]]
        rows += [
            [
                f.instance,
                f.newest.filename if f.newest else "none",
                _duration(f.age.total_seconds()) if f.age is not None else "-",
                execution,
                "ok" if f.fresh else f"STALE (over {max_age})",
            ]
            for f in found
        ]
        _print_table(rows)
    if stale:
        raise RuntimeFailure(
            f"{len(stale)} instance(s) have no complete snapshot newer than {max_age}: "
            + ", ".join(f.instance for f in stale)
            + ".",
            "Check the backup job's recent executions and logs (`lookervault backup status`).",
        )


def _print_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2))


def _print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _when(summary: cloudrun.ExecutionSummary) -> str:
    moment = summary.started or summary.created
    return _utc(moment) if moment else "-"


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{rest:02d}s"
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def _tasks(summary: cloudrun.ExecutionSummary) -> str:
    text = f"{summary.succeeded_count}/{summary.task_count} succeeded"
    if summary.failed_count:
        text += f", {summary.failed_count} failed"
    if summary.running_count:
        text += f", {summary.running_count} running"
    return text
