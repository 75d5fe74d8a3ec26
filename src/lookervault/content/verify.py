"""`verify`: is this backup whole? Each check says what it found, so one run names every
problem: SQLite's own integrity check, the schema version, whether the last extraction run
completed, whether each type holds as many items as the run that extracted it counted, and
whether every reference inside the backup (a dashboard's folder, a tile's look, a
schedule's dashboard, a group's members, ...) points at an item the backup holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from lookervault.looker import store
from lookervault.looker.compare import EXTRA_REFERENCES
from lookervault.looker.content_types import BY_NAME, PART_OWNERS, ids_at, parts

RESUME_HINT = "finish it with `lookervault extract --resume --db ...`"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Dangling:
    """An item that names another item the backup does not hold."""

    type: str
    id: str
    title: str | None
    field: str
    target_type: str
    target_id: str

    def __str__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        return (
            f"{self.type} {self.id}{title}: {self.field} -> {self.target_type} "
            f"{self.target_id}, which the backup does not hold"
        )


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
    held: dict[str, set[str]] = {}
    pointers: list[Dangling] = []
    for type_name, item_id, item in store.current_items(conn):
        if type_name not in BY_NAME:
            continue
        held.setdefault(type_name, set()).add(item_id)
        title = BY_NAME[type_name].title_of(item)
        for part_type, owner_type in PART_OWNERS.items():
            if owner_type == type_name:
                found = (str(p.get("id")) for p in parts(item, part_type))
                held.setdefault(part_type, set()).update(found)
        references = [(r.path, r.type) for r in BY_NAME[type_name].references]
        for path, target in (*references, *EXTRA_REFERENCES.get(type_name, ())):
            for target_id in ids_at(item, path):
                pointers.append(Dangling(type_name, item_id, title, path, target, target_id))
    result.dangling = [p for p in pointers if p.target_id not in held.get(p.target_type, set())]
    if not result.dangling:
        return Check("references", True, f"{len(pointers)} references, all held")
    absent = sorted({d.target_type for d in result.dangling} - set(held))
    detail = f"{len(result.dangling)} of {len(pointers)} references point at nothing"
    if absent:
        detail += f" (the backup holds no {', '.join(absent)} at all)"
    return Check("references", False, detail)
