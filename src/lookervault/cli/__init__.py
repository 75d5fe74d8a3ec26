"""The `lookervault` command line: parse, call a use case, print. No logic lives here."""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import click

from lookervault import __version__
from lookervault.cli.lazy import LazyGroup
from lookervault.errors import EXIT_FAILURE, EXIT_USAGE, LookerVaultError


@click.group(
    cls=LazyGroup,
    lazy={
        "backup": "lookervault.cli.backup:backup",
        "content": "lookervault.cli.content:content",
        "demo": "lookervault.cli.demo:demo",
        "drill": "lookervault.cli.drill:drill",
        "export": "lookervault.cli.tree:export_command",
        "extract": "lookervault.cli.extract:extract",
        "import": "lookervault.cli.tree:import_command",
        "restore": "lookervault.cli.restore:restore",
        "snapshot": "lookervault.cli.snapshot:snapshot",
        "verify": "lookervault.cli.verify:verify_command",
    },
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="lookervault")
def cli() -> None:
    """Back up a Looker instance to Cloud Storage and bring it back."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C (SIGINT), so every temporary file is removed."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


class _WarningLine(logging.Handler):
    """Warnings of the package (a retried request, a cache that cannot be written) as
    `Warning: ...` lines on stderr; results stay alone on stdout."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"Warning: {record.getMessage()}", err=True)


@contextlib.contextmanager
def _command_environment() -> Iterator[None]:
    logger = logging.getLogger("lookervault")
    handler = _WarningLine(logging.WARNING)
    logger.addHandler(handler)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, _stop) for s in STOP_SIGNALS} if in_main_thread else {}
    try:
        yield
    finally:
        for signum, handler_before in previous.items():
            signal.signal(signum, handler_before)
        logger.removeHandler(handler)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI, mapping our errors to the exit codes of DESIGN.md section 8."""
    try:
        with _command_environment():
            cli.main(args=argv, prog_name="lookervault", standalone_mode=False)
    except LookerVaultError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        if exc.hint:
            click.echo(exc.hint, err=True)
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        # click turns Ctrl-C (and so SIGTERM and SIGHUP, see _stop) into Abort
        interrupt = exc.__cause__ if isinstance(exc, click.exceptions.Abort) else exc
        stopped_by = interrupt.args if isinstance(interrupt, KeyboardInterrupt) else ()
        click.echo(f"Cancelled by {stopped_by[0]}." if stopped_by else "Cancelled.", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except OSError as exc:  # the machine, not LookerVault: a full disk, a read-only folder
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"Error: {exc.strerror or exc}{where}.", err=True)
        click.echo("Fix the file system problem (space, permissions) and retry.", err=True)
        return EXIT_FAILURE
    return 0


def entry_point() -> None:
    code = main()
    gc.freeze()  # the process ends: collecting what is left at exit would only cost time
    sys.exit(code)
