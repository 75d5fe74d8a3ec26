"""Command groups whose subcommands are imported only when one of them runs.

Every subcommand brings its own dependencies (Looker's SDK, Cloud Run, rich's widgets);
importing all of them made every command, `snapshot download` included, start about 0.1 s
later than it needs to.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    """A click group with `lazy={"name": "module:attribute"}` subcommands besides its own."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy and cmd_name not in self.commands:
            self.add_command(_load(self._lazy[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)


def _load(where: str) -> click.Command:
    """Import a command with the garbage collector paused, then freeze what exists: modules
    live as long as the process, so collecting during the imports, or looking through their
    objects at every later collection, is wasted time (a tenth of a second of each start)."""
    module, attribute = where.split(":")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        command = getattr(importlib.import_module(module), attribute)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    if not isinstance(command, click.Command):
        raise TypeError(f"{where} is not a click command")
    return command
