"""The retention use case shared by the Cloud Function and `lookervault snapshot cleanup`.

`plan_cleanup` lists one instance's folder and decides (nothing changes); `apply_cleanup`
deletes what the plan deletes. Every delete re-reads the object first and carries generation
and metageneration preconditions, so an object that was replaced or protected after the
listing is kept; a 404 means another run got there first and counts as done. Audit events go
to the sink the caller passes in (structured stdout in the function, JSON lines locally).

Every GCS call takes the caller's retry budget: the CLI waits like any client, the function
gives up fast so the invocation fails and Eventarc retries it. The listing matches the
filename prefix exactly: a policy for `looker` never touches `looker-prod-...` snapshots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import google.cloud.storage as storage
from google.api_core.retry import Retry
from google.cloud.storage.retry import DEFAULT_RETRY

from lookervault.audit import Action, AuditEvent, Outcome
from lookervault.retention.policy import Decision, RetentionPolicy, decide
from lookervault.snapshot.catalog import Snapshot, list_snapshots
from lookervault.snapshot.manage import ALREADY_GONE, DELETED, delete_snapshot

AuditSink = Callable[[AuditEvent], None]


@dataclass(frozen=True)
class CleanupPlan:
    """The decisions for one instance folder at one moment."""

    bucket: str
    prefix: str
    instance: str
    policy: RetentionPolicy
    now: datetime
    decisions: list[Decision]

    @property
    def to_delete(self) -> list[Decision]:
        return [decision for decision in self.decisions if not decision.keep]

    @property
    def bytes_to_free(self) -> int:
        return sum(decision.snapshot.size_bytes for decision in self.to_delete)


@dataclass(frozen=True)
class CleanupResult:
    """What applying a plan did: the outcome of each attempted delete, by object name."""

    plan: CleanupPlan
    outcomes: dict[str, str]

    def _with(self, outcome: str) -> list[Snapshot]:
        return [
            d.snapshot for d in self.plan.to_delete if self.outcomes.get(d.snapshot.name) == outcome
        ]

    @property
    def deleted(self) -> list[Snapshot]:
        return self._with(DELETED)

    @property
    def already_gone(self) -> list[Snapshot]:
        return self._with(ALREADY_GONE)

    @property
    def kept_count(self) -> int:
        return len(self.plan.decisions) - len(self.deleted) - len(self.already_gone)

    @property
    def bytes_freed(self) -> int:
        return sum(snapshot.size_bytes for snapshot in self.deleted)


def plan_cleanup(
    client: storage.Client,
    bucket: str,
    prefix: str,
    instance: str,
    filename_prefix: str | None,
    policy: RetentionPolicy,
    now: datetime,
    retry: Retry = DEFAULT_RETRY,
) -> CleanupPlan:
    snapshots = list_snapshots(client, bucket, prefix, instance, filename_prefix, retry)
    return CleanupPlan(bucket, prefix, instance, policy, now, decide(snapshots, policy, now))


def _event(
    plan: CleanupPlan,
    snapshot: Snapshot,
    actor: str,
    action: Action,
    reason: str,
    outcome: Outcome = "success",
) -> AuditEvent:
    return AuditEvent(
        action=action,
        outcome=outcome,
        object=snapshot.name,
        bucket=plan.bucket,
        generation=snapshot.generation,
        reason=reason,
        policy=plan.policy.describe(),
        actor=actor,
        details={"size_bytes": snapshot.size_bytes, "created": snapshot.created.isoformat()},
    )


def apply_cleanup(
    client: storage.Client,
    plan: CleanupPlan,
    actor: str,
    sink: AuditSink,
    retry: Retry = DEFAULT_RETRY,
) -> CleanupResult:
    """Delete what the plan deletes; audit each deletion and each keep against the policy."""
    outcomes: dict[str, str] = {}
    for decision in plan.decisions:
        snapshot = decision.snapshot
        if decision.kept_against_policy:
            reason = f"{', '.join(decision.reasons)} (policy: {decision.delete_reason})"
            sink(_event(plan, snapshot, actor, "snapshot.kept", reason))
        if decision.keep:
            continue
        outcome = delete_snapshot(client, plan.bucket, snapshot, retry)
        outcomes[snapshot.name] = outcome
        if outcome == DELETED:
            sink(_event(plan, snapshot, actor, "snapshot.deleted", decision.reasons[0]))
        elif outcome != ALREADY_GONE:
            sink(_event(plan, snapshot, actor, "snapshot.kept", outcome, "skipped"))
    return CleanupResult(plan, outcomes)
