"""`lookervault snapshot ...`."""

from __future__ import annotations

import click


@click.group()
def snapshot() -> None:
    """Upload, list, download, delete and protect snapshots in Cloud Storage."""
