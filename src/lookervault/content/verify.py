"""`verify`: is this backup whole? Each check says what it found, so one run names every
problem: SQLite's own integrity check, the schema version, whether the last extraction run
completed, whether each type holds as many items as the run that extracted it counted, and
whether every reference inside the backup (a dashboard's folder, a tile's look, a
schedule's dashboard, a group's members, ...) points at an item the backup holds.

A reference to nothing is damage unless Looker itself held it so: extraction records those
(a tile on a deleted look, content of a user who left) when it completes a run, and they are
reported as notes, not failures.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from lookervault.looker import store
from lookervault.looker.references import Dangling, find_dangling

RESUME_HINT = "finish it with `lookervault extract --resume --db ...`"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Count:
    type: str
    recorded: int | None
    """What the run that extracted the type counted; None when no completed run did."""
    found: int
    run_id: int | None

    @property
    def ok(self) -> bool:
        return self.recorded == self.found


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    dangling: list[Dangling] = field(default_factory=list)
    """References to nothing that Looker did not hold so: damage."""
    held_by_looker: list[Dangling] = field(default_factory=list)
    """References Looker itself held dangling when the backup was made."""

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> int:
        return sum(not check.ok for check in self.checks)

    def record(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [asdict(c) for c in self.checks],
            "counts": {c.type: {"recorded": c.recorded, "found": c.found} for c in self.counts},
            "dangling_references": [asdict(d) for d in self.dangling],
            "held_dangling_by_looker": [asdict(d) for d in self.held_by_looker],
        }


def verify(conn: sqlite3.Connection) -> Verification:
    """Run every check on an open LookerVault database (see `backup.open_backup`)."""
    result = Verification()
    steps: list[tuple[str, Callable[[sqlite3.Connection, Verification], Check]]] = [
        ("sqlite", _integrity),
        ("schema", _schema),
        ("last run", _last_run),
        ("counts", _counts),
        ("references", _references),
    ]
    for name, step in steps:
        try:
            check = step(conn, result)
        except (sqlite3.DatabaseError, ValueError) as exc:
            check = Check(name, False, f"could not be read: {exc}")
        result.checks.append(check)
    return result


def _integrity(conn: sqlite3.Connection, _: Verification) -> Check:
    rows = [str(r[0]) for r in conn.execute("pragma integrity_check(20)")]
    if rows == ["ok"]:
        return Check("sqlite", True, "integrity_check: ok")
    return Check("sqlite", False, "integrity_check: " + "; ".join(rows[:3]))


def _schema(conn: sqlite3.Connection, _: Verification) -> Check:
    version = conn.execute("pragma user_version").fetchone()[0]
    if version == store.SCHEMA_VERSION:
        return Check("schema", True, f"version {version}")
    relation = "newer than" if version > store.SCHEMA_VERSION else "not"
    return Check(
        "schema",
        False,
        f"version {version}, {relation} the version this LookerVault writes "
        f"({store.SCHEMA_VERSION})",
    )


def _last_run(conn: sqlite3.Connection, _: Verification) -> Check:
    run = store.latest_run(conn)
    if run is None:
        return Check("last run", False, "no extraction run is recorded")
    started = f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC"
    if run.status == "complete":
        version = f" {run.looker_version}" if run.looker_version else ""
        return Check(
            "last run", True, f"run {run.id} from {run.looker_host}{version}, {started}: complete"
        )
    if run.status == "running":
        why = "never finished: it was killed, or is still going"
    else:
        why = f"{run.status}" + (f": {run.errors[0]}" if run.errors else "")
    return Check(
        "last run", False, f"run {run.id} from {run.looker_host}, {started}, {why}; {RESUME_HINT}"
    )


def _counts(conn: sqlite3.Connection, result: Verification) -> Check:
    """Each type against the newest completed run that extracted it."""
    found = store.current_counts(conn)
    recorded: dict[str, tuple[int, int]] = {}
    for run in store.runs(conn):
        if run.status != "complete":
            continue
        for type_name in run.types:
            recorded.setdefault(type_name, (run.id, (run.counts or {}).get(type_name, 0)))
    for type_name in sorted(set(found) | set(recorded)):
        run_id, count = recorded.get(type_name, (None, None))
        result.counts.append(Count(type_name, count, found.get(type_name, 0), run_id))
    wrong = [c for c in result.counts if not c.ok]
    if not wrong:
        total = sum(found.values())
        return Check("counts", True, f"{total} items in {len(found)} types, as recorded")
    described = []
    for c in wrong:
        if c.recorded is None:
            described.append(f"{c.type}: {c.found} items, but no completed run extracted them")
        else:
            described.append(f"{c.type}: {c.found} items, run {c.run_id} recorded {c.recorded}")
    return Check("counts", False, "; ".join(described))


def _references(conn: sqlite3.Connection, result: Verification) -> Check:
    dangling, pointers, held = find_dangling(store.current_items(conn))
    run = next((r for r in store.runs(conn) if r.status == "complete"), None)
    recorded = store.recorded_dangling(conn, run.id) if run is not None else None
    for reference in dangling:
        looker_held = recorded is not None and reference.key in recorded
        (result.held_by_looker if looker_held else result.dangling).append(reference)
    note = ""
    if result.held_by_looker:
        note = (
            f"; {len(result.held_by_looker)} point at what Looker itself no longer held when "
            "the backup was made (a deleted look, a user who left): restore carries those items "
            "over with a stated adjustment"
        )
    if not result.dangling:
        return Check("references", True, f"{pointers} references, all held{note}")
    absent = sorted({d.target_type for d in result.dangling} - held)
    detail = f"{len(result.dangling)} of {pointers} references point at nothing"
    if absent:
        detail += f" (the backup holds no {', '.join(absent)} at all)"
    if recorded is None:
        detail += "; the backup predates the record of what Looker itself held dangling"
    return Check("references", False, detail + note)
