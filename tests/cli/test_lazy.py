"""Issue 12: a command imports what it runs, not every other command's dependencies."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from lookervault.cli import cli


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, f"`lookervault {' '.join((*path, name))}` does not load"
        assert command.name == name
        found.append((*path, name))
        if isinstance(command, click.Group):
            found.extend(every_command(command, (*path, name)))
    return found


def test_every_listed_command_loads_under_its_own_name() -> None:
    names = every_command(cli)
    assert {("snapshot", "download"), ("snapshot", "diff"), ("restore",), ("backup", "run")} <= set(
        names
    )


def test_a_download_does_not_import_looker_or_the_other_commands() -> None:
    script = (
        "import json, sys\n"
        "from lookervault.cli import main\n"
        "main(['snapshot', 'download', '--help'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    modules = set(json.loads(run.stdout.splitlines()[-1]))
    assert "lookervault.cli.snapshot" in modules
    unneeded = {
        "looker_sdk",
        "lookervault.cli.browser",
        "lookervault.cli.restore",
        "lookervault.content",
        "lookervault.restore",
        "lookervault.backup",
    }
    assert not unneeded & modules
