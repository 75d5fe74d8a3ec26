"""The plan of a restore: which target item each backed-up item is, and what must change.

Matching is the resolver's (restore/resolver.py). An item nothing matches is created.
Dependencies the selection needs but the target lacks join the plan. What a type does beyond
its registry row (a rule on what is wanted, an adjustment, a note) is its handler's
(restore/types/).

Instances hold references Looker itself left dangling: a tile on a deleted look, content of a
user who left, a schedule of a deleted dashboard. What such a reference names is in neither the
backup nor the target, so the item is carried over with a stated adjustment (a query tile of
the look's stored query, a fallback owner) or left out with its reason, never failed: no run
could ever restore it as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lookervault.looker.content_types import (
    BY_NAME,
    PART_NOUNS,
    ContentType,
    id_order,
    ids_at,
    restore_order,
)
from lookervault.restore import canonical
from lookervault.restore.resolver import LOOKER_HELD, Resolver, held_by, is_looked_up, translator
from lookervault.restore.source import Key, Source
from lookervault.restore.target import Target, fetch_full
from lookervault.restore.types import HANDLERS, handler
from lookervault.restore.types.base import Adjustment, Handler

Json = dict[str, Any]
Action = Literal["create", "update", "undelete", "unchanged", "skip"]
WRITES: frozenset[Action] = frozenset({"create", "update", "undelete"})


def quieted(items: Mapping[str, Mapping[str, Json]]) -> dict[str, dict[str, Json]]:
    """Backed-up items as a restore into another instance leaves them without
    --enable-schedules: every schedule and alert switched off."""
    found = {type_name: dict(by_id) for type_name, by_id in items.items()}
    for type_name, by_id in found.items():
        quiet = BY_NAME[type_name].quiet if type_name in BY_NAME else {}
        if quiet:
            found[type_name] = {i: {**x, **quiet} for i, x in by_id.items()}
    return found


@dataclass
class Step:
    """One item of the plan and what the restore will do with it."""

    key: Key
    title: str
    action: Action
    target_id: str | None = None
    changes: list[str] = field(default_factory=list)
    reason: str | None = None
    needed_by: Key | None = None
    waits_for: list[Key] = field(default_factory=list)
    late_waits: list[Key] = field(default_factory=list)
    """What the second call of the step waits for (a group's members: users)."""
    late_after: list[Key] = field(default_factory=list)
    """Steps whose second call must be done before this one's (a parent folder's access)."""
    adjustments: list[Adjustment] = field(default_factory=list)

    def record(self) -> Json:
        return {
            "type": self.key[0],
            "id": self.key[1],
            "title": self.title,
            "action": self.action,
            "target_id": self.target_id,
            "changes": self.changes,
            "reason": self.reason,
            "needed_by": f"{self.needed_by[0]}:{self.needed_by[1]}" if self.needed_by else None,
            "adjustments": [a.text for a in self.adjustments],
        }


@dataclass
class Plan:
    """Every step in dependency order, with the resolver that matched them."""

    resolver: Resolver
    steps: dict[Key, Step]
    enable_schedules: bool
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> Source:
        return self.resolver.source

    @property
    def target(self) -> Target:
        return self.resolver.target

    @staticmethod
    def handler(type_name: str) -> Handler:
        return handler(type_name)

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for step in self.steps.values():
            per_type = found.setdefault(step.key[0], {})
            per_type[step.action] = per_type.get(step.action, 0) + 1
        return found

    @property
    def writes(self) -> int:
        return sum(step.action in WRITES for step in self.steps.values())

    def type_notes(self) -> list[str]:
        """What each type's handler tells before anything is written."""
        return [note for found in HANDLERS.values() for note in found.notes(self)]


Needs = Literal["all", "first", "late"]


def dependencies(source: Source, key: Key, needs: Needs = "all") -> list[Key]:
    """The backed-up items this item needs (soft references excluded): "first" those its
    step waits for, "late" those the second call of its step waits for, or all of them."""
    item = source.get(key)
    if item is None:
        return []
    found: list[Key] = []
    for ref in BY_NAME[key[0]].references:
        if ref.soft or (needs == "first" and ref.late) or (needs == "late" and not ref.late):
            continue
        found += [source.holder((ref.type, value)) for value in ids_at(item, ref.path)]
    if needs != "late" and key in source.personal:
        found.append(source.personal[key])
    return [dep for dep in dict.fromkeys(found) if dep != key and source.get(dep) is not None]


def skip_reason(key: Key, item: Json) -> str | None:
    """Items a client never writes, whatever they hold."""
    flagged = (why for flag, why in BY_NAME[key[0]].skip_flags.items() if item.get(flag))
    return next(flagged, None) or handler(key[0]).skip(key[1], item)


def _access_only(source: Source, key: Key, chosen: dict[Key, Key | None]) -> bool:
    """A system folder chosen by itself (not needed by another item) is planned for its
    access alone: who may see the Shared folder is the instance's, and restorable."""
    return chosen[key] is None and "content_metadata" in (source.get(key) or {})


def build_plan(
    resolver: Resolver, selected: Iterable[Key], *, enable_schedules: bool, workers: int
) -> Plan:
    """Close the selection over missing dependencies, then classify every item."""
    source, target = resolver.source, resolver.target
    chosen: dict[Key, Key | None] = {}
    queue: list[tuple[Key, Key | None]] = [
        (key, None) for key in selected if source.get(key) is not None
    ]
    while queue:
        key, needed_by = queue.pop(0)
        if key in chosen:
            continue
        chosen[key] = needed_by
        for dep in dependencies(source, key):
            if dep not in chosen and (is_looked_up(source, dep) or not resolver.resolve(dep)):
                queue.append((dep, key))
    for found in HANDLERS.values():
        for key in found.brings(source, chosen):
            chosen.setdefault(key, None)
    order = {name: i for i, name in enumerate(restore_order())}
    keys = sorted(
        (k for k in chosen if not is_looked_up(source, k) or _access_only(source, k, chosen)),
        key=lambda k: (order[k[0]], id_order(k[1])),
    )
    fetch_full(target, [(k[0], t) for k in keys if (t := resolver.resolve(k))], workers)
    to_create = {
        k for k in keys if resolver.resolve(k) is None and not skip_reason(k, source.get(k) or {})
    }
    translate = translator(resolver, to_create)
    plan = Plan(resolver, {}, enable_schedules)
    for key in keys:
        step = classify(plan, key, translate)
        step.needed_by = chosen[key]
        step.waits_for = [_step_key(source, dep) for dep in dependencies(source, key, "first")]
        step.late_waits = [_step_key(source, dep) for dep in dependencies(source, key, "late")]
        plan.steps[key] = step
    for key, step in plan.steps.items():
        step.late_after = [k for k in _late_before(source, key) if k in plan.steps]
    return plan


def _late_before(source: Source, key: Key) -> list[Key]:
    """An item filed in its own type (a folder in a folder) has its second call (its access)
    after its parent's: top-down."""
    ct = BY_NAME[key[0]]
    parent_ref = next((r for r in ct.references if r.path == ct.folder_field), None)
    if parent_ref is None or parent_ref.type != ct.name:
        return []
    parent = (source.get(key) or {}).get(parent_ref.path)
    return [] if parent is None else [(ct.name, str(parent))]


def _step_key(source: Source, dep: Key) -> Key:
    """A personal folder is waited for through its user."""
    return source.personal.get(dep, dep)


def wanted(plan: Plan, key: Key, translate: canonical.Translate, target_item: Json | None) -> Json:
    """The backed-up item in the form compared and written, with the restore's own rules."""
    item = plan.source.get(key) or {}
    resolver = plan.resolver
    ct, kind = BY_NAME[key[0]], handler(key[0])
    want = canonical.desired(key[0], item, translate, kind.pseudo)
    if ct.quiet and not resolver.same_instance and not plan.enable_schedules:
        for name, quiet in ct.quiet.items():
            if target_item is None:
                want[name] = quiet
            else:
                want.pop(name, None)
    owner = ct.written_owner
    if owner and item.get(owner) is not None and resolver.nowhere(owner_key(ct, item)):
        want.pop(owner, None)  # an existing item keeps the owner Looker gave it
        if target_item is None and resolver.fallback_owner is not None:
            want[owner] = resolver.fallback_owner
    kind.fit(plan, item, want, target_item)
    return want


def owner_key(ct: ContentType, item: Json) -> Key:
    """The key of the user an item's written owner names."""
    ref = next(r for r in ct.references if r.path == ct.written_owner)
    return (ref.type, str(item[ref.path]))


def classify(plan: Plan, key: Key, translate: canonical.Translate) -> Step:
    source = plan.source
    item = source.get(key) or {}
    kind = handler(key[0])
    step = Step(key, source.title(key), "unchanged")
    reason = skip_reason(key, item) or left_out_reason(plan.resolver, key, item, translate)
    target_id = plan.resolver.resolve(key)
    step.target_id = target_id
    if reason:
        step.action, step.reason = "skip", reason
        return step
    refused = kind.refused_create(plan.resolver, item, translate) if target_id is None else None
    if refused:
        step.action, step.reason = "skip", refused
        return step
    if target_id is None:
        step.action = "create"
    else:
        current_item = plan.target.item((key[0], target_id)) or {}
        want = wanted(plan, key, translate, current_item)
        have = canonical.current(key[0], current_item, kind.pseudo, held_by(plan.target))
        step.changes = canonical.changes(want, have, kind.lacking_only)
        if is_looked_up(source, key):
            step.changes = [name for name in step.changes if name in kind.system_changes]
        if BY_NAME[key[0]].soft_delete and current_item.get("deleted") and not item.get("deleted"):
            step.action = "undelete"
        elif step.changes:
            step.action = "update"
    if step.action in WRITES:
        step.adjustments = adjustments(plan.resolver, key, item, translate, step.action)
    return step


def left_out_reason(
    resolver: Resolver, key: Key, item: Json, translate: canonical.Translate
) -> str | None:
    """Why an item cannot be carried over at all: what it exists for is nowhere."""
    for ref in BY_NAME[key[0]].references:
        value = item.get(ref.path) if ref.vital else None
        if value is not None and resolver.nowhere((ref.type, str(value))):
            what = PART_NOUNS.get(ref.type, ref.type[:-1])
            return f"its {what} {value} is in neither the backup nor Looker: {LOOKER_HELD}"
    return handler(key[0]).left_out(resolver, item, translate)


def adjustments(
    resolver: Resolver,
    key: Key,
    item: Json,
    translate: canonical.Translate,
    action: Action,
) -> list[Adjustment]:
    """How writing this item will differ from the backup, named before anything is written."""
    found = []
    ct = BY_NAME[key[0]]
    user = item.get(ct.written_owner) if ct.written_owner else None
    if action == "create" and user is not None and resolver.nowhere(owner_key(ct, item)):
        fallback = resolver.fallback_owner
        found.append(
            Adjustment(
                "owner",
                f"its owner, user {user}, is in neither the backup nor Looker (a user who "
                f"left): it will belong to user {fallback}, the fallback owner",
            )
        )
    return found + handler(key[0]).adjustments(resolver, item, translate)
