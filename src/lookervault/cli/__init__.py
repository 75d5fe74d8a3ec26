"""The `lookervault` command line: parse, call a use case, print. No logic lives here."""

from __future__ import annotations

import sys

import click

from lookervault import __version__
from lookervault.cli.backup import backup
from lookervault.cli.demo import demo
from lookervault.cli.drill import drill
from lookervault.cli.extract import extract
from lookervault.cli.restore import restore
from lookervault.cli.snapshot import snapshot
from lookervault.errors import EXIT_FAILURE, EXIT_USAGE, LookerVaultError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lookervault")
def cli() -> None:
    """Back up a Looker instance to Cloud Storage and bring it back."""


cli.add_command(snapshot)
cli.add_command(extract)
cli.add_command(restore)
cli.add_command(backup)
cli.add_command(demo)
cli.add_command(drill)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI, mapping our errors to the exit codes of DESIGN.md section 8."""
    try:
        cli.main(args=argv, prog_name="lookervault", standalone_mode=False)
    except LookerVaultError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        if exc.hint:
            click.echo(exc.hint, err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Cancelled.", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EXIT_FAILURE
    return 0


def entry_point() -> None:
    sys.exit(main())
