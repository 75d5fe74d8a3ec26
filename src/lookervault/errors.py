"""Errors that carry the exit code of the CLI contract and a hint on what to do next."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3


class LookerVaultError(Exception):
    """Base error: a sentence for the user plus what to do next."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class RuntimeFailure(LookerVaultError):
    """Network, API or storage trouble: exit 1."""


class IntegrityError(RuntimeFailure):
    """A checksum, size or SQLite check did not match: exit 1."""


class UsageError(LookerVaultError):
    """Bad arguments or configuration, a refused overwrite, a cancelled prompt: exit 2."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """Invalid configuration: exit 2, naming the bad key."""


class NotFoundError(LookerVaultError):
    """A snapshot, bucket or job that does not exist: exit 3."""

    exit_code = EXIT_NOT_FOUND


class Interrupted(UsageError):
    """Stopped by Ctrl-C, SIGTERM or SIGHUP, saying what is kept: exit 2 (cancelled)."""
