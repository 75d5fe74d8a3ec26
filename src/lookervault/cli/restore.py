"""`lookervault restore`: placeholder until its issue lands."""

from __future__ import annotations

import click


@click.command(name="restore")
def restore() -> None:
    """Not built yet."""
