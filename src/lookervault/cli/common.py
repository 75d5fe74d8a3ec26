"""Helpers every command shares: settings, output, prompts, progress bars."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from lookervault.audit import AuditEvent, append_local
from lookervault.config import Settings
from lookervault.errors import UsageError

PROGRESS_THRESHOLD = 10 * 1024 * 1024
F = TypeVar("F", bound=Callable[..., Any])

console = Console()


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")(function)


def instance_option(function: F) -> F:
    return click.option(
        "--instance", help="Looker instance slug (folder under the prefix). Default: default."
    )(function)


def looker_options(function: F) -> F:
    """How to reach Looker and how hard to push it: shared by extract and restore."""
    options = (
        click.option(
            "--workers",
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="Parallel requests to Looker.",
        ),
        click.option(
            "--rate-limit",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help="At most this many requests per second (default: no client-side limit).",
        ),
        click.option(
            "--max-retries",
            type=click.IntRange(0, 20),
            default=5,
            show_default=True,
            help="Retries of a request answered 429 or 5xx before it counts as failed.",
        ),
        click.option(
            "--looker-ini",
            type=click.Path(dir_okay=False),
            default="looker.ini",
            show_default=True,
            help="SDK settings file; LOOKERSDK_* variables override it.",
        ),
        click.option("--section", default=None, help="Section of looker.ini (default: the first)."),
    )
    for option in reversed(options):
        function = option(function)
    return function


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def counts_table(title: str, columns: tuple[str, ...], counts: dict[str, dict[str, int]]) -> Table:
    """Types down, columns across (actions, results, kinds of change); blanks for zero."""
    table = Table(title=title, title_justify="left")
    table.add_column("type")
    for column in columns:
        table.add_column(column, justify="right")
    for type_name, per_type in counts.items():
        table.add_row(type_name, *(str(per_type.get(c, 0) or "") for c in columns))
    return table


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def confirm_or_refuse(question: str, refusal: str, hint: str) -> None:
    """Ask on a terminal; elsewhere refuse with exit 2 rather than guess."""
    if not interactive():
        raise UsageError(refusal, hint)
    if not click.confirm(question, default=False):
        raise UsageError("Cancelled; nothing was changed.")


def warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


def local_recorder(settings: Settings) -> Callable[[AuditEvent], None]:
    """Append to the local audit log. It is written after the action: if it cannot be, the
    action still happened, so say so and keep its exit code (a retry would act twice)."""

    def record(event: AuditEvent) -> None:
        try:
            append_local(event, settings.state_dir)
        except OSError as exc:
            warn(
                f"{event.action} {event.object} ({event.outcome}) is done, but the local audit "
                f"log in {settings.state_dir} could not be written ({exc.strerror}). "
                "Set LOOKERVAULT_STATE_DIR to a folder you can write."
            )

    return record


@contextlib.contextmanager
def transfer_progress(
    label: str, total: int, enabled: bool
) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar for transfers over 10 MB on a terminal; advance(n) adds n bytes."""
    if not enabled or total < PROGRESS_THRESHOLD or not sys.stdout.isatty():
        yield None
        return
    columns = (
        "{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda count: progress.advance(task, count)
