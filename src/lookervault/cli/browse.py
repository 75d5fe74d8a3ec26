"""`lookervault snapshot browse`: pick a snapshot with the arrow keys, see what it holds, act."""

from __future__ import annotations

import click

from lookervault.cli.common import instance_option, interactive
from lookervault.config import load_settings
from lookervault.errors import UsageError
from lookervault.gcs import make_client


@click.command()
@instance_option
@click.option(
    "--looker-ini",
    type=click.Path(dir_okay=False),
    default="looker.ini",
    show_default=True,
    help="Where the restore action writes: SDK settings file; LOOKERSDK_* variables override it.",
)
@click.option("--section", default=None, help="Section of looker.ini (default: the first).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Parallel requests to Looker when restoring.",
)
def browse(instance: str | None, looker_ini: str, section: str | None, workers: int) -> None:
    """Browse snapshots in a terminal: newest first, type to filter, a preview of what each
    holds and a chart over time (from metadata: nothing is downloaded). F2 diff with the
    previous snapshot, F3 download, F4 restore (shows the plan first), F5 protect or
    unprotect, F8 delete, Escape cancels."""
    if not interactive():
        raise UsageError(
            "`snapshot browse` needs a terminal, and this is not one.",
            "In scripts use `lookervault snapshot list`, `snapshot diff` and `restore`.",
        )
    settings = load_settings(instance=instance)
    settings.require_bucket()
    from lookervault.cli.browser import (  # textual loads only for this command
        LookerTarget,
        SnapshotBrowser,
    )

    target = LookerTarget(looker_ini, section, workers)
    SnapshotBrowser(settings, make_client(settings.project), target).run()
