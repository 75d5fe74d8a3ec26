"""Issue 11, item 8: the README (and the runbook) promise only what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from lookervault.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_lines(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]


@pytest.mark.parametrize("page", ["README.md", "docs/operations.md"])
def test_every_command_the_docs_show_exists(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    shown = [line.split()[1:] for line in shell_lines(text) if line.startswith("lookervault ")]
    assert shown
    for words in shown:
        group: click.Command | None = cli
        for word in words:
            if not isinstance(group, click.Group) or word.startswith("-"):
                break
            group = group.get_command(click.Context(group), word)
            assert group, f"{page} shows `lookervault {' '.join(words)}`"


def test_the_demo_promises_a_restore_only_once_there_is_one() -> None:
    make_demo = next(line for line in README.splitlines() if line.startswith("make demo"))
    context = click.Context(cli)
    demo = cli.get_command(context, "demo")
    demo_help = demo.help if demo and demo.help else ""
    if "restore" not in cli.list_commands(context):
        assert "restore" not in make_demo
        assert "restore" not in demo_help
    targets = re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    assert "demo" in targets


def test_the_layout_in_development_md_names_every_package() -> None:
    """Issue 8: the tree in docs/development.md is how a newcomer learns the architecture."""
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    tree = text.split("## Layout", 1)[1].split("```")[1]
    shown = set(re.findall(r"^  ([a-z_]+)/ ", tree, flags=re.MULTILINE))
    packages = {p.parent.name for p in (ROOT / "src" / "lookervault").glob("*/__init__.py")}
    assert shown == packages
