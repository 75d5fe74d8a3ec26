"""The retention Cloud Function's logic, behind the thin handler in `functions/main.py`.

One `google.cloud.storage.object.v1.finalized` event for a snapshot name runs the retention
use case on that snapshot's instance folder. Events arrive at least once and may arrive
together; the use case's preconditions make repeats harmless. What the outcome means for
Eventarc:
- not a snapshot, another event type, a malformed event, an invalid configuration: logged
  and acknowledged (retrying cannot help);
- a Cloud Storage error: logged and raised, so the invocation fails and Eventarc retries.
Configuration comes from the environment Terraform sets: LOOKERVAULT_PREFIX,
LOOKERVAULT_FILENAME_PREFIX, LOOKERVAULT_RETENTION_*, LOOKERVAULT_PROJECT; the bucket comes from
the event. Every entry of an event is labelled with its CloudEvent id and carries the request's
trace (`lookervault.logs`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import google.cloud.storage as storage
from google.cloud.storage.retry import DEFAULT_RETRY
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lookervault import logs
from lookervault.audit import emit_audit
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
log = logging.getLogger("lookervault.retention.function")


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


def setup_logging() -> None:
    """Structured entries on stdout, once per instance (`functions/main.py`). The project
    qualifies request traces; a configuration error is logged with each event instead."""
    try:
        project = load_settings().project
    except ConfigError:
        project = None
    logs.setup(project=project)


def handle_event(attributes: Mapping[str, Any], data: object) -> Status:
    """Apply the retention policy for one finalize event; raise only to ask for a retry."""
    event_id = attributes.get("id")
    with logs.labels(event_id=str(event_id)) if event_id else contextlib.nullcontext():
        return _handle_event(attributes, data)


def _handle_event(attributes: Mapping[str, Any], data: object) -> Status:
    try:
        envelope = EventAttributes.model_validate(dict(attributes))
        event = StorageObjectData.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'data'}: {error['msg']}"
            for error in exc.errors()
        )
        log.warning("retention: malformed event acknowledged: %s", problems)
        return "malformed"
    if envelope.type != FINALIZED:
        log.debug("retention: ignored event type %s", envelope.type)
        return "ignored"
    try:
        settings = load_settings()
        policy = policy_from_settings(settings)
    except ConfigError as exc:
        log.error("retention: invalid configuration: %s", exc.message)
        return "misconfigured"
    parsed = parse_name(event.name, settings.prefix, settings.filename_prefix)
    if parsed is None:
        log.debug("retention: ignored non-snapshot object %s", event.name)
        return "ignored"

    actor = f"function-event:{envelope.id}"
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
        result = apply_cleanup(client, plan, actor, emit_audit, RETRY)
    except Exception as exc:
        log.error("retention: failed, the event will be retried: %s", exc)
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
    log.info(
        "retention %s: kept %d, deleted %d, freed %d bytes",
        result.plan.instance,
        summary["kept"],
        summary["deleted"],
        summary["bytes_freed"],
        extra=logs.fields({"audit": "true"}, retention_summary=summary),
    )
