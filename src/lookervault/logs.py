"""Structured log entries on stdout, for Cloud Run (the job, the drill) and Cloud Functions.

google-cloud-logging's `StructuredLogHandler` writes each log record as one JSON line in Cloud
Logging's structured format (`severity`, `message`, `logging.googleapis.com/labels`, trace,
source location); the platform's logging agent reads stdout, so nothing calls the Logging API.
Each entry point calls `setup` once; code logs through `logging` as usual, `labels` labels
every entry of a block, and `fields` puts JSON fields next to one entry's message.

Only the job, the drill and the function import this module: it loads google-cloud-logging,
which the CLI has no use for.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, TextIO

from google.cloud.logging_v2.handlers import StructuredLogHandler

_scoped: ContextVar[Mapping[str, str]] = ContextVar("log_labels", default=MappingProxyType({}))


class _Handler(StructuredLogHandler):
    """The library's handler, plus the labels of the enclosing `labels` blocks, writing to
    whatever `sys.stdout` is at the time."""

    @property
    def stream(self) -> TextIO:
        """With LOG_EXECUTION_ID set, functions-framework swaps in a stdout per request that
        adds the request's `execution_id` label; a stream kept from start-up would miss it."""
        return sys.stdout

    @stream.setter
    def stream(self, _: object) -> None:
        """`StreamHandler.__init__` sets it; the current stdout is always the one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Runs before the library's own filter, which merges `record.labels` into the entry."""
        record.labels = {**_scoped.get(), **getattr(record, "labels", {})}
        return bool(super().filter(record))

    def emit_instrumentation_info(self) -> None:
        """Skip the library's one-off diagnostic entry: a line without a `message`, which would
        break the contract that every line of the job has one (docs/job.md)."""


def setup(labels: Mapping[str, str] | None = None, project: str | None = None) -> None:
    """Send every log record of this process to stdout as one structured entry per line.

    `labels` go on every entry. With `project`, a request's trace (`traceparent` or
    `X-Cloud-Trace-Context`, found by the library in the Flask request functions-framework
    serves) becomes `projects/PROJECT/traces/ID`, the form Cloud Logging correlates. Our own
    loggers log from DEBUG, libraries from WARNING; `warnings.warn` becomes an entry too.
    """
    # The library's handler has no annotations, hence the ignore.
    handler = _Handler(labels=dict(labels or {}), project_id=project)  # type: ignore[no-untyped-call]
    logging.basicConfig(handlers=[handler], format="%(message)s", level=logging.WARNING, force=True)
    logging.getLogger("lookervault").setLevel(logging.DEBUG)
    logging.captureWarnings(True)


@contextlib.contextmanager
def labels(**scoped: str) -> Iterator[None]:
    """Label every entry logged in this block by this thread: an instance, an event id."""
    token = _scoped.set({**_scoped.get(), **scoped})
    try:
        yield
    finally:
        _scoped.reset(token)


def fields(labels: Mapping[str, str] | None = None, **json_fields: Any) -> dict[str, Any]:
    """`extra=` for one logging call: labels of that entry only, and JSON fields next to its
    message (the names google-cloud-logging's handlers read from a record)."""
    return {"labels": dict(labels or {}), "json_fields": json_fields}
