"""Audit events (DESIGN.md section 5): one per snapshot created, deleted, protected, ..., and
one per write a restore makes to Looker.

In Cloud Run and Cloud Functions they are structured log entries on stdout; locally the CLI
appends JSON lines to `audit.jsonl` in the state directory.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, Field

Action = Literal[
    "snapshot.created",
    "snapshot.deleted",
    "snapshot.protected",
    "snapshot.unprotected",
    "snapshot.kept",
    "restore.created",
    "restore.updated",
    "restore.deleted",
]
Outcome = Literal["success", "failure", "skipped"]
AUDIT_FILENAME = "audit.jsonl"


class AuditEvent(BaseModel):
    """One thing that happened to a snapshot or to restored Looker content, and who did it."""

    action: Action
    outcome: Outcome = "success"
    object: str
    bucket: str | None = None
    generation: int | None = None
    reason: str | None = None
    policy: dict[str, Any] | None = None
    actor: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    details: dict[str, Any] = Field(default_factory=dict)


def local_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"user:{user}@{os.uname().nodename}"


def append_local(event: AuditEvent, state_dir: Path) -> None:
    """Append one JSON line; the file is private to the user."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / AUDIT_FILENAME
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(event.model_dump_json() + "\n")


def structured_entry(
    message: str,
    severity: str = "INFO",
    labels: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A Cloud Logging structured JSON entry (the format google-cloud-logging's
    StructuredLogHandler writes), read by the logging agent of Cloud Run and Cloud Functions."""
    entry: dict[str, Any] = {"severity": severity, "message": message}
    if labels:
        entry["logging.googleapis.com/labels"] = labels
    entry.update(fields)
    return entry


def emit_structured(entry: dict[str, Any], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write(json.dumps(entry, default=str, separators=(",", ":")) + "\n")
    out.flush()


def emit_audit(event: AuditEvent, labels: dict[str, str] | None = None) -> None:
    """An audit event as a structured log entry on stdout."""
    data = event.model_dump(mode="json")
    severity = "WARNING" if event.outcome == "failure" else "NOTICE"
    emit_structured(
        structured_entry(
            f"{event.action} {event.object}",
            severity,
            {"audit": "true", **(labels or {})},
            audit=data,
        )
    )
