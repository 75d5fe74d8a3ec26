"""`lookervault extract`: placeholder until its issue lands."""

from __future__ import annotations

import click


@click.command(name="extract")
def extract() -> None:
    """Not built yet."""
