"""`lookervault demo`."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--dashboards",
    type=click.IntRange(10, 5000),
    default=20,
    show_default=True,
    help="How much content the Looker stand-in holds (the story needs at least 10).",
)
@click.option(
    "--keep-running",
    is_flag=True,
    help="After the story, keep the stand-ins running for your own commands until Ctrl-C.",
)
def demo(dashboards: int, keep_running: bool) -> None:
    """The whole story on local stand-ins: two backups by the job, retention, Looker broken,
    `snapshot diff` to see what broke, `restore`, and a check that Looker equals the backup
    again. Your own LOOKERVAULT_* and LOOKERSDK_* settings are not used."""
    from lookervault.local.demo import (
        run_demo,  # the stand-in and emulator load only when asked for
    )

    run_demo(click.echo, dashboards, keep_running)
