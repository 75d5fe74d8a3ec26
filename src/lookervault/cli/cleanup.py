"""`lookervault snapshot cleanup`: the retention policy from the CLI, dry run by default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click
from rich.table import Table

from lookervault.audit import local_actor
from lookervault.cli.common import (
    confirm_or_refuse,
    console,
    instance_option,
    json_option,
    local_recorder,
    print_json,
)
from lookervault.config import load_settings
from lookervault.gcs import make_client
from lookervault.retention.cleanup import CleanupPlan, CleanupResult, apply_cleanup, plan_cleanup
from lookervault.retention.policy import policy_from_settings
from lookervault.snapshot import cache
from lookervault.snapshot.catalog import to_record
from lookervault.snapshot.naming import format_timestamp


def _rows(plan: CleanupPlan, result: CleanupResult | None) -> list[dict[str, Any]]:
    rows = []
    for index, decision in enumerate(plan.decisions, start=1):
        record = to_record(decision.snapshot, index, plan.bucket)
        record.pop("metadata")
        record["decision"] = "keep" if decision.keep else "delete"
        record["reasons"] = list(decision.reasons)
        if result is not None and decision.snapshot.name in result.outcomes:
            record["outcome"] = result.outcomes[decision.snapshot.name]
        rows.append(record)
    return rows


def _document(plan: CleanupPlan, result: CleanupResult | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "dry_run": result is None,
        "bucket": plan.bucket,
        "instance": plan.instance,
        "policy": plan.policy.describe(),
        "total_count": len(plan.decisions),
        "to_delete": len(plan.to_delete),
        "bytes_to_free": plan.bytes_to_free,
        "snapshots": _rows(plan, result),
    }
    if result is not None:
        document["deleted"] = len(result.deleted)
        document["already_gone"] = len(result.already_gone)
        document["kept"] = result.kept_count
        document["bytes_freed"] = result.bytes_freed
    return document


def _age(age: timedelta) -> str:
    """Compact age from the creation time: what the policy's day counts compare against."""
    if age < timedelta(0):
        return "future"
    if age < timedelta(hours=1):
        return f"{age.seconds // 60}m"
    if age < timedelta(days=2):
        return f"{age.days * 24 + age.seconds // 3600}h"
    return f"{age.days}d"


def _table(plan: CleanupPlan, result: CleanupResult | None) -> Table:
    folder = f"gs://{plan.bucket}/{plan.prefix}{plan.instance}/"
    table = Table(title=f"Retention in {folder}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("timestamp (UTC)", no_wrap=True)
    table.add_column("age", justify="right", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("decision", no_wrap=True)
    table.add_column("reason")
    for index, decision in enumerate(plan.decisions, start=1):
        snapshot = decision.snapshot
        verdict = "keep" if decision.keep else "delete"
        if result is not None:
            verdict = result.outcomes.get(snapshot.name, verdict)
        table.add_row(
            str(index),
            format_timestamp(snapshot.timestamp),
            _age(plan.now - snapshot.created),
            f"{snapshot.size_bytes:,} B",
            verdict if decision.keep else f"[red]{verdict}[/red]",
            ", ".join(decision.reasons),
        )
    return table


@click.command()
@click.option(
    "--dry-run/--no-dry-run",
    default=True,
    show_default=True,
    help="Only show the decisions; --no-dry-run deletes.",
)
@click.option("--force", is_flag=True, help="With --no-dry-run, delete without a prompt.")
@click.option(
    "--older-than",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Use this max_age_days for this run instead of the configured one.",
)
@instance_option
@json_option
def cleanup(
    dry_run: bool, force: bool, older_than: float | None, instance: str | None, as_json: bool
) -> None:
    """Apply the retention policy: every snapshot with its decision and reason."""
    settings = load_settings(instance=instance)
    bucket = settings.require_bucket()
    policy = policy_from_settings(settings, max_age_days=older_than)
    client = make_client(settings.project)
    plan = plan_cleanup(
        client,
        bucket,
        settings.prefix,
        settings.instance,
        settings.filename_prefix,
        policy,
        datetime.now(UTC),
    )
    result = None
    if not dry_run:
        if plan.to_delete and not force:
            if not as_json:
                console.print(_table(plan, None))
            confirm_or_refuse(
                f"Delete {len(plan.to_delete)} snapshots ({plan.bytes_to_free:,} bytes)?",
                "Refusing to delete snapshots without confirmation.",
                "Pass --force to delete without a prompt, or run it in a terminal.",
            )
        result = apply_cleanup(client, plan, local_actor(), local_recorder(settings))
        cache.invalidate(settings.state_dir, bucket, settings.prefix, settings.instance)
    if as_json:
        print_json(_document(plan, result))
        return
    console.print(_table(plan, result))
    if result is None:
        click.echo(
            f"Dry run: would delete {len(plan.to_delete)} snapshots and free "
            f"{plan.bytes_to_free:,} bytes. Pass --no-dry-run to delete."
        )
    else:
        click.echo(
            f"Deleted {len(result.deleted)} snapshots, freed {result.bytes_freed:,} bytes; "
            f"kept {result.kept_count}."
        )
