"""Audit events (DESIGN.md section 5): one per snapshot created, deleted, protected, ..., and
one per write a restore makes to Looker.

In Cloud Run and Cloud Functions they are structured log entries on stdout (`emit_audit`);
locally the CLI appends JSON lines to `audit.jsonl` in the state directory.
"""

from __future__ import annotations

import getpass
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

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
NOTICE = 25
"""Cloud Logging's NOTICE, between INFO and WARNING: the severity of an audit entry."""
logging.addLevelName(NOTICE, "NOTICE")
_log = logging.getLogger("lookervault.audit")


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


def emit_audit(event: AuditEvent) -> None:
    """An audit event as a structured log entry labelled `audit=true`, through `logging`
    (the job and the function send it to stdout with `lookervault.logs.setup`)."""
    level = logging.WARNING if event.outcome == "failure" else NOTICE
    _log.log(
        level,
        "%s %s",
        event.action,
        event.object,
        extra={
            "labels": {"audit": "true"},
            "json_fields": {"audit": event.model_dump(mode="json")},
        },
    )
