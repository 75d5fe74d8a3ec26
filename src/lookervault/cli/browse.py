"""`lookervault snapshot browse`: pick a snapshot with the arrow keys, see what it holds, act."""

from __future__ import annotations

import click

from lookervault.cli.common import instance_option, interactive, looker_options
from lookervault.config import load_settings
from lookervault.errors import UsageError
from lookervault.gcs import make_client


@click.command()
@instance_option
@looker_options
def browse(
    instance: str | None,
    workers: int,
    rate_limit: float | None,
    max_retries: int,
    looker_ini: str,
    section: str | None,
) -> None:
    """Browse snapshots in a terminal: newest first, type to filter, a preview of what each
    holds and a chart over time (from metadata: nothing is downloaded). F2 diff with the
    previous snapshot, F3 download, F4 restore (shows the plan first), F5 protect or
    unprotect, F8 delete, Escape cancels. The Looker options say where the restore action
    writes, as for `lookervault restore`. Needs the `browse` extra (textual)."""
    try:  # textual loads only for this command, and is installed only with the extra
        from lookervault.cli.browser import LookerTarget, SnapshotBrowser
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "textual":
            raise
        raise UsageError(
            "`snapshot browse` needs the terminal browser's library (textual), which is not "
            "installed: it comes with the `browse` extra.",
            "Install it with `pip install 'lookervault[browse]'` (in a checkout, `make setup` "
            "does); `snapshot list`, `snapshot diff` and `restore` work without it.",
        ) from None
    if not interactive():
        raise UsageError(
            "`snapshot browse` needs a terminal, and this is not one.",
            "In scripts use `lookervault snapshot list`, `snapshot diff` and `restore`.",
        )
    settings = load_settings(instance=instance)
    settings.require_bucket()

    target = LookerTarget(looker_ini, section, workers, rate_limit, max_retries)
    SnapshotBrowser(settings, make_client(settings.project), target).run()
