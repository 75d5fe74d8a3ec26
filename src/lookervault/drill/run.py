"""One drill: snapshot -> scratch Looker -> extract -> compare."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import google.cloud.storage as storage
from looker_sdk.rtl.api_settings import ApiSettings

from lookervault.audit import AuditEvent
from lookervault.config import Settings
from lookervault.errors import UsageError
from lookervault.local.standin import SeedSize, StandIn
from lookervault.local.standin.sdk import StandInSettings
from lookervault.looker import store
from lookervault.looker.compare import Difference, compare, describe
from lookervault.looker.extract import extract
from lookervault.restore import service as restore
from lookervault.restore.expected import as_restored
from lookervault.restore.plan import Plan
from lookervault.restore.resolver import LOOKER_HELD
from lookervault.restore.target import Record
from lookervault.snapshot import refs
from lookervault.snapshot.copies import temporary_copy

Json = dict[str, Any]


@dataclass
class DrillResult:
    """What a drill found: per type, items in the snapshot and items that came back."""

    snapshot: str
    target: str
    counts: dict[str, int]
    restored: dict[str, int]
    differences: list[Difference]
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the restore said it would do otherwise than the backup has it, and why."""

    @property
    def passed(self) -> bool:
        return not self.differences and not self.failures

    def record(self) -> Json:
        return {
            "passed": self.passed,
            "snapshot": self.snapshot,
            "target": self.target,
            "counts": self.counts,
            "restored": self.restored,
            "differences": [str(d) for d in self.differences],
            "failures": self.failures,
            "notes": self.notes,
        }


@contextlib.contextmanager
def scratch_target(explicit: ApiSettings | None) -> Iterator[tuple[ApiSettings, str]]:
    """The Looker to restore into: the one given, or a new empty stand-in on loopback."""
    if explicit is not None:
        yield explicit, "the Looker instance given"
        return
    with StandIn(seed=SeedSize.empty(), record=False) as standin:
        yield StandInSettings(standin), "a new local Looker stand-in"


def drill(
    client: storage.Client,
    settings: Settings,
    ref: str,
    target: ApiSettings | None = None,
    record: Record | None = None,
    workers: int = 8,
) -> DrillResult:
    """Restore snapshot `ref` into a scratch Looker and compare what comes back.

    `record` audits the writes to a real scratch instance; the stand-in's need none.
    """
    resolved = refs.resolve(client, settings, ref)
    name = resolved.snapshot.gcs_path(resolved.bucket)
    with (
        tempfile.TemporaryDirectory(prefix="lookervault-drill-", dir=settings.work_dir) as work,
        temporary_copy(client, resolved, Path(work)) as database,
        scratch_target(target) as (sdk, where),
    ):
        scratch = Path(work)
        private = settings.model_copy(update={"state_dir": scratch / "state"})
        prepared = restore.prepare(database, sdk, restore.Selection(), private, workers=workers)
        try:
            identity = prepared.plan.resolver.identity
            if identity.same:
                raise UsageError(
                    f"The drill target is the instance the snapshot came from: {identity.reason}.",
                    "Give a scratch Looker instance, or none to use the local stand-in.",
                )
            report = restore.execute(prepared, record or _unrecorded, "drill", None)
        finally:
            prepared.close()
        backed_up = store.read_items(database)
        extract(scratch / "target.db", settings=sdk, workers=workers)
        came_back = store.read_items(scratch / "target.db")
    plan = prepared.plan
    owner = plan.resolver.fallback_owner if _owned(plan) else None
    expected = as_restored(backed_up, plan, came_back.get("users", {}).get(owner or ""))
    backed_up_users = set(describe(backed_up).get("users", {}))
    differences = [
        d
        for d in compare(expected, came_back)
        if d.kind != "extra" and (d.type != "users" or d.name in backed_up_users)
    ]
    failures = [
        f"{o.step.key[0]} {o.step.key[1]} {o.step.title!r}: {o.error}" for o in report.failed
    ]
    return DrillResult(
        snapshot=name,
        target=where,
        counts={t: len(items) for t, items in sorted(backed_up.items())},
        restored={t: len(came_back.get(t, {})) for t in sorted(backed_up)},
        differences=differences,
        failures=failures,
        notes=[*prepared.notes, *_adjusted(plan), *report.notes],
    )


def _owned(plan: Plan) -> bool:
    """Some item went to the fallback owner."""
    return any(a.kind == "owner" for s in plan.steps.values() for a in s.adjustments)


def _adjusted(plan: Plan) -> list[str]:
    found = []
    for step in plan.steps.values():
        what = f"{step.key[0]} {step.key[1]} {step.title!r}"
        found += [f"{what}: {a.text}" for a in step.adjustments]
        if step.action == "skip" and LOOKER_HELD in (step.reason or ""):
            found.append(f"{what} is left out: {step.reason}")
    return found


def _unrecorded(event: AuditEvent) -> None:
    """A write to the stand-in a drill started: nothing of the company's content changed."""
