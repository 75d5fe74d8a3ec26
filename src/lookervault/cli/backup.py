"""`lookervault backup`: placeholder until its issue lands."""

from __future__ import annotations

import click


@click.group(name="backup")
def backup() -> None:
    """Not built yet."""
