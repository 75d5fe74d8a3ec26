"""`lookervault extract`: Looker content into a local SQLite file."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from lookervault.cli.common import looker_options
from lookervault.looker.content_types import DEFAULT_PAGE_SIZE, TYPE_NAMES

if TYPE_CHECKING:
    from lookervault.looker.extract import ExtractionResult
    from lookervault.looker.extract import Progress as ProgressFn


@click.command(name="extract")
@click.argument("types", nargs=-1, type=click.Choice(TYPE_NAMES))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("looker.db"),
    show_default=True,
    help="SQLite file to write.",
)
@looker_options
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the last interrupted run from its last committed page (its types and page"
    " size); starts a new run when there is none.",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=DEFAULT_PAGE_SIZE,
    show_default=True,
    help="Items per listed page (one commit each).",
)
@click.option(
    "--allow-other-host",
    is_flag=True,
    help="Extract into a --db last filled from another Looker host (refused otherwise).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def extract(
    types: tuple[str, ...],
    db_path: Path,
    workers: int,
    resume: bool,
    rate_limit: float | None,
    max_retries: int,
    page_size: int,
    looker_ini: str,
    section: str | None,
    allow_other_host: bool,
    as_json: bool,
) -> None:
    """Extract Looker content (all TYPES when none given) into an SQLite file."""
    # looker_sdk loads only when extracting: every other command starts faster without it.
    from lookervault.looker.client import RetryPolicy, load_settings
    from lookervault.looker.extract import extract as run_extraction

    settings = load_settings(looker_ini, section)
    with _progress(enabled=sys.stdout.isatty() and not as_json) as progress:
        result = run_extraction(
            db_path,
            list(types) or None,
            workers=workers,
            resume=resume,
            settings=settings,
            progress=progress,
            retry=RetryPolicy(max_attempts=max_retries + 1),
            rate_limit_per_s=rate_limit,
            page_size=page_size,
            allow_other_host=allow_other_host,
        )
    click.echo(
        json.dumps(summary(result, db_path), indent=2) if as_json else _text(result, db_path)
    )


def summary(result: ExtractionResult, db_path: Path) -> dict[str, object]:
    """The --json document: counts per type plus where, when and from which Looker."""
    document = asdict(result)
    document["db"] = str(db_path)
    document["total"] = sum(result.counts.values())
    document["started_at"] = result.started_at.isoformat()
    document["finished_at"] = result.finished_at.isoformat()
    return document


def _text(result: ExtractionResult, db_path: Path) -> str:
    lines = [
        f"{'type':<18}{'items':>8}{'gone':>8}",
        *(
            f"{name:<18}{count:>8}{result.missing.get(name, 0):>8}"
            for name, count in result.counts.items()
        ),
        f"Extracted {sum(result.counts.values())} items from Looker {result.looker_version} "
        f"at {result.looker_host} into {db_path} (run {result.run_id}"
        f"{', resumed' if result.resumed else ''}).",
    ]
    return "\n".join(lines)


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressFn | None]:
    """A rich bar per type on a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    bars = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        TextColumn("{task.completed:>7} items"),
        TimeElapsedColumn(),
    )
    tasks: dict[str, TaskID] = {}

    def update(type_name: str, items: int, finished: bool) -> None:
        if type_name not in tasks:
            tasks[type_name] = bars.add_task(type_name, total=None)
        task = tasks[type_name]
        bars.update(task, completed=items, total=items if finished else None)

    with bars:
        yield update
