"""`python -m lookervault` runs the CLI."""

from lookervault.cli import entry_point

entry_point()
