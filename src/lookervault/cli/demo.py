"""`lookervault demo`: placeholder."""

from __future__ import annotations

import click


@click.command()
def demo() -> None:
    """Run a round trip on local stand-ins."""
