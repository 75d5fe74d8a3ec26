"""`lookervault demo`."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--dashboards",
    type=click.IntRange(1, 5000),
    default=40,
    show_default=True,
    help="How much content the Looker stand-in holds.",
)
def demo(dashboards: int) -> None:
    """Back up a local Looker stand-in into a local Cloud Storage emulator, then download and
    verify the snapshot. Your own LOOKERVAULT_* and LOOKERSDK_* settings are not used."""
    from lookervault.local.demo import (
        run_demo,  # the stand-in and emulator load only when asked for
    )

    run_demo(click.echo, dashboards)
