"""The retention Cloud Function's logic, behind the thin handler in `functions/main.py`.

One `google.cloud.storage.object.v1.finalized` event for a snapshot name runs the retention
use case on that snapshot's instance folder. Events arrive at least once and may arrive
together; the use case's preconditions make repeats harmless. What the outcome means for
Eventarc:
- not a snapshot, another event type, a malformed event, an invalid configuration: logged
  and acknowledged (retrying cannot help);
- a Cloud Storage error: logged and raised, so the invocation fails and Eventarc retries.
Configuration comes from the environment Terraform sets: LOOKERVAULT_PREFIX,
LOOKERVAULT_FILENAME_PREFIX, LOOKERVAULT_RETENTION_*; the bucket comes from the event.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import google.cloud.storage as storage
from google.cloud.storage.retry import DEFAULT_RETRY
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lookervault.audit import AuditEvent, emit_audit, emit_structured, structured_entry
from lookervault.config import load_settings
from lookervault.errors import ConfigError
from lookervault.gcs import make_client
from lookervault.retention.cleanup import CleanupResult, apply_cleanup, plan_cleanup
from lookervault.retention.policy import policy_from_settings
from lookervault.snapshot.naming import parse_name

FINALIZED = "google.cloud.storage.object.v1.finalized"
RETRY = DEFAULT_RETRY.with_timeout(5.0)
"""Give up on a GCS call after seconds, not minutes: Eventarc retries the whole invocation."""
Status = Literal["ignored", "malformed", "misconfigured", "applied"]


class EventAttributes(BaseModel):
    """The CloudEvent envelope attributes we use."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    type: str


class StorageObjectData(BaseModel):
    """The `data` of a storage object event (a Cloud Storage object resource)."""

    model_config = ConfigDict(extra="ignore")

    bucket: str = Field(min_length=1)
    name: str = Field(min_length=1)
    generation: int
    metageneration: int | None = None
    size: int | None = None


@functools.lru_cache(maxsize=1)
def _client(project: str | None) -> storage.Client:
    """One client per process: warm instances reuse its connections."""
    return make_client(project)


def _log(severity: str, message: str, event_id: object, **fields: Any) -> None:
    labels = {"event_id": str(event_id)} if event_id else None
    emit_structured(structured_entry(message, severity, labels, **fields))


def handle_event(attributes: Mapping[str, Any], data: object) -> Status:
    """Apply the retention policy for one finalize event; raise only to ask for a retry."""
    try:
        envelope = EventAttributes.model_validate(dict(attributes))
        event = StorageObjectData.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'data'}: {error['msg']}"
            for error in exc.errors()
        )
        event_id = attributes.get("id")
        _log("WARNING", f"retention: malformed event acknowledged: {problems}", event_id)
        return "malformed"
    if envelope.type != FINALIZED:
        _log("DEBUG", f"retention: ignored event type {envelope.type}", envelope.id)
        return "ignored"
    try:
        settings = load_settings()
        policy = policy_from_settings(settings)
    except ConfigError as exc:
        _log("ERROR", f"retention: invalid configuration: {exc.message}", envelope.id)
        return "misconfigured"
    parsed = parse_name(event.name, settings.prefix, settings.filename_prefix)
    if parsed is None:
        _log("DEBUG", f"retention: ignored non-snapshot object {event.name}", envelope.id)
        return "ignored"

    actor = f"function-event:{envelope.id}"
    labels = {"event_id": envelope.id}

    def sink(audit: AuditEvent) -> None:
        emit_audit(audit, labels)

    try:
        client = _client(settings.project)
        plan = plan_cleanup(
            client,
            event.bucket,
            settings.prefix,
            parsed.instance,
            settings.filename_prefix,
            policy,
            datetime.now(UTC),
            RETRY,
        )
        result = apply_cleanup(client, plan, actor, sink, RETRY)
    except Exception as exc:
        _log("ERROR", f"retention: failed, the event will be retried: {exc}", envelope.id)
        raise
    _emit_summary(envelope.id, event, result)
    return "applied"


def _emit_summary(event_id: str, event: StorageObjectData, result: CleanupResult) -> None:
    summary = {
        "event_id": event_id,
        "bucket": event.bucket,
        "object": event.name,
        "generation": event.generation,
        "instance": result.plan.instance,
        "policy": result.plan.policy.describe(),
        "kept": result.kept_count,
        "deleted": len(result.deleted),
        "already_gone": len(result.already_gone),
        "bytes_freed": result.bytes_freed,
    }
    message = (
        f"retention {result.plan.instance}: kept {summary['kept']}, "
        f"deleted {summary['deleted']}, freed {summary['bytes_freed']} bytes"
    )
    emit_structured(
        structured_entry(
            message, "INFO", {"audit": "true", "event_id": event_id}, retention_summary=summary
        )
    )
