"""The plan of a restore: which target item each backed-up item is, and what must change.

Matching, in order: the id map of earlier runs; the same id when the target is the instance
the backup came from; the instance's own system folders and each user's personal folder; the
natural key of the type (a user's email, a name, a title in its folder). An item nothing
matches is created. Dependencies the selection needs but the target lacks join the plan.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lookervault.looker.content_types import (
    BY_NAME,
    PART_OWNERS,
    id_order,
    ids_at,
    parts,
    restore_order,
)
from lookervault.restore import canonical, pairing
from lookervault.restore.identity import Identity
from lookervault.restore.source import Key, Source
from lookervault.restore.state import RestoreState
from lookervault.restore.target import SYSTEM_FOLDER_FLAGS, Target, fetch_full

Json = dict[str, Any]
Action = Literal["create", "update", "undelete", "unchanged", "skip"]
WRITES: frozenset[Action] = frozenset({"create", "update", "undelete"})
SCHEDULE_SWITCH = {"scheduled_plans": ("enabled", False), "alerts": ("is_disabled", True)}
"""The field that keeps a restored schedule or alert from sending, and its quiet value."""


def quieted(items: Mapping[str, Mapping[str, Json]]) -> dict[str, dict[str, Json]]:
    """Backed-up items as a restore into another instance leaves them without
    --enable-schedules: every schedule and alert switched off."""
    found = {type_name: dict(by_id) for type_name, by_id in items.items()}
    for type_name, (name, quiet) in SCHEDULE_SWITCH.items():
        if type_name in found:
            found[type_name] = {i: {**x, name: quiet} for i, x in found[type_name].items()}
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
        }


class Resolver:
    """Which target item a backed-up item is; remembers what this run creates."""

    def __init__(
        self,
        source: Source,
        target: Target,
        state: RestoreState,
        workers: int,
        identity: Identity,
    ) -> None:
        self.source = source
        self.target = target
        self.identity = identity
        self._state = state
        self._workers = workers
        self._mapped: dict[str, dict[str, str]] = {}
        self._known: dict[Key, str] = {}
        self._natural: dict[str, dict[tuple[Any, ...], str]] = {}
        self._pairs: dict[Key, dict[Key, str]] = {}
        self._lock = threading.RLock()

    @property
    def same_instance(self) -> bool:
        return self.identity.same

    def record(self, key: Key, target_id: str, remember: bool = True) -> None:
        """A match or a create: kept for this run and, unless told, in the id map."""
        with self._lock:
            self._known[key] = target_id
            self._mapped.setdefault(key[0], {})[key[1]] = target_id
        if remember:
            self._state.record(key[0], key[1], target_id)

    def resolve(self, key: Key, holder_id: str | None = None) -> str | None:
        """`holder_id`: the backed-up item holding `key`, when a part's holder is known (saves
        reading every dashboard and board of the backup to find it)."""
        with self._lock:
            if key in self._known:
                return self._known[key]
            found = self._find(key, holder_id)
            if found is not None:
                self._known[key] = found
            return found

    def _map(self, type_name: str) -> dict[str, str]:
        if type_name not in self._mapped:
            self._mapped[type_name] = self._state.mapped(type_name)
        return self._mapped[type_name]

    def _find(self, key: Key, holder_id: str | None) -> str | None:
        type_name, source_id = key
        if type_name in PART_OWNERS:
            return self._part(key, holder_id)
        mapped = self._map(type_name).get(source_id)
        if mapped is not None and self.target.has((type_name, mapped)):
            return mapped
        item = self.source.get(key)
        if is_looked_up(self.source, key):
            return self._looked_up_folder(source_id, item or {})
        if self.same_instance and self.target.has(key):
            return source_id
        if item is None:
            return None
        return self._by_natural_key(type_name, item)

    def _looked_up_folder(self, source_id: str, item: Json) -> str | None:
        """The target's own system folder, or the personal folder of the user it belonged to."""
        for flag in SYSTEM_FOLDER_FLAGS:
            if item.get(flag):
                return self.target.system_folder(flag)
        owner = self.source.personal_folder_owner[source_id]
        user_id = self.resolve(("users", owner))
        user = self.target.item(("users", user_id)) if user_id else None
        personal = (user or {}).get("personal_folder_id")
        return str(personal) if personal is not None else None

    def _part(self, key: Key, holder_id: str | None) -> str | None:
        """A tile, filter or section: by the id map while its holder's match still holds it,
        else paired within that match (itself when the holder is the very same object of the
        same instance). A dashboard made again under a new id has new tiles: trusting the map's
        old ids would delete them and make them once more."""
        mapped = self._map(key[0]).get(key[1])
        if mapped is not None and holder_id is None:
            return mapped  # checking it would mean indexing every holder of the backup
        owner_id = holder_id or self.source.part_owner.get(key)
        if owner_id is None:
            return None
        owner = (PART_OWNERS[key[0]], owner_id)
        holder = self.resolve(owner)
        if holder is None:
            return None
        if mapped is not None and mapped in self._held(owner[0], holder, key[0]):
            return mapped
        if owner not in self._pairs:
            self._pairs[owner] = self._pair_parts(owner, holder)
        return self._pairs[owner].get(key)

    def _holder_item(self, holder_type: str, holder: str) -> Json:
        """The target's dashboard or board, whole: its parts are inside it."""
        fetch_full(self.target, [(holder_type, holder)], self._workers)
        return self.target.item((holder_type, holder)) or {}

    def _held(self, holder_type: str, holder: str, part_type: str) -> set[str]:
        return {str(p["id"]) for p in parts(self._holder_item(holder_type, holder), part_type)}

    def _pair_parts(self, owner: Key, holder: str) -> dict[Key, str]:
        found = self._holder_item(owner[0], holder)
        if self.same_instance and holder == owner[1]:
            part_types = [t for t, o in PART_OWNERS.items() if o == owner[0]]
            return {
                (part_type, str(p["id"])): str(p["id"])
                for part_type in part_types
                for p in parts(found, part_type)
            }
        backed_up = self.source.get(owner) or {}
        return pairing.holder_parts(owner[0], backed_up, found, translator(self))

    def natural_key(self, type_name: str, item: Json, translated: bool = True) -> tuple[Any, ...]:
        ct = BY_NAME[type_name]
        refs = {ref.path: ref.type for ref in ct.references}
        values: list[str | None] = []
        for name in ct.natural_key:
            value = item.get(name)
            if name == "email" and not value:
                value = (item.get("credentials_email") or {}).get("email")
            if value is None and name in ct.nullable_key:
                values.append("")
                continue
            if translated and name in refs and value is not None:
                value = self.resolve((refs[name], str(value)))
            values.append(None if value is None else str(value))
        return tuple(values)

    def _by_natural_key(self, type_name: str, item: Json) -> str | None:
        ct = BY_NAME[type_name]
        if not ct.natural_key:
            return None
        wanted = self.natural_key(type_name, item)
        if any(v is None for v in wanted):
            return None
        if type_name not in self._natural:
            index: dict[tuple[Any, ...], str] = {}
            listed = sorted(self.target.ids(type_name).items(), key=lambda kv: _live_first(kv[1]))
            for target_id, target_item in listed:
                index.setdefault(self.natural_key(type_name, target_item, False), target_id)
            self._natural[type_name] = index
        return self._natural[type_name].get(wanted)


def _live_first(item: Json) -> bool:
    return bool(item.get("deleted"))


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

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for step in self.steps.values():
            per_type = found.setdefault(step.key[0], {})
            per_type[step.action] = per_type.get(step.action, 0) + 1
        return found

    @property
    def writes(self) -> int:
        return sum(step.action in WRITES for step in self.steps.values())


def placeholder(key: Key) -> str:
    """Stands in for the id of an item this run will create."""
    return f"<new {key[0]}:{key[1]}>"


def translator(resolver: Resolver, planned: Iterable[Key] = ()) -> canonical.Translate:
    """Resolve a reference; a planned create becomes its placeholder, anything else None."""
    pending = set(planned)

    def translate(type_name: str, source_id: str) -> str | None:
        key = (type_name, source_id)
        found = resolver.resolve(key)
        if found is not None:
            return found
        owner = key
        if type_name in PART_OWNERS:
            owner_id = resolver.source.part_owner.get(key)
            owner = (PART_OWNERS[type_name], owner_id) if owner_id else key
        return placeholder(key) if owner in pending else None

    return translate


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
        for value in ids_at(item, ref.path):
            dep = (ref.type, value)
            if ref.type in PART_OWNERS:
                owner = source.part_owner.get(dep)
                dep = (PART_OWNERS[ref.type], owner) if owner else dep
            found.append(dep)
    if key[0] == "folders" and needs != "late":
        owner = source.personal_folder_owner.get(key[1])
        if owner is not None:
            found.append(("users", owner))
    return [dep for dep in dict.fromkeys(found) if dep != key and source.get(dep) is not None]


def skip_reason(key: Key, item: Json) -> str | None:
    """Items a client never writes, whatever they hold."""
    type_name, item_id = key
    if type_name == "dashboards" and not item_id.isdigit():
        return "a LookML dashboard: it lives in its LookML project"
    if type_name in ("permission_sets", "model_sets") and item.get("built_in"):
        return "built in: Looker manages it"
    if type_name == "user_attributes" and item.get("is_system"):
        return "a system attribute: Looker manages it"
    if type_name == "groups" and item.get("externally_managed"):
        return "managed by the identity provider"
    return None


def is_looked_up(source: Source, key: Key) -> bool:
    """System and personal folders exist with the instance or the user: never planned."""
    if key[0] != "folders":
        return False
    item = source.get(key) or {}
    return key[1] in source.personal_folder_owner or any(item.get(f) for f in SYSTEM_FOLDER_FLAGS)


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
    return plan


def _step_key(source: Source, dep: Key) -> Key:
    """A personal folder is waited for through its user."""
    owner = source.personal_folder_owner.get(dep[1]) if dep[0] == "folders" else None
    return ("users", owner) if owner else dep


def wanted(plan: Plan, key: Key, translate: canonical.Translate, target_item: Json | None) -> Json:
    """The backed-up item in the form compared and written, with the restore's own rules."""
    item = plan.source.get(key) or {}
    want = canonical.desired(key[0], item, translate)
    switch = SCHEDULE_SWITCH.get(key[0])
    if switch and not plan.resolver.same_instance and not plan.enable_schedules:
        name, quiet = switch
        if target_item is None:
            want[name] = quiet
        else:
            want.pop(name, None)
    if key[0] == "groups" and item.get("include_by_default"):
        want.pop("member_user_ids", None)
    if key[0] == "dashboards" and want.get("slug") and target_item is not None:
        holder = slug_holder(plan.target, want["slug"])
        if holder is not None and holder != str(target_item.get("id")):
            want.pop("slug")  # an update may not take another dashboard's slug (Looker: 422)
    return want


def slug_holder(target: Target, slug: str) -> str | None:
    """The target dashboard (in the trash or not) that holds a slug: slugs are unique
    instance-wide, and a trashed dashboard keeps its slug."""
    return next((i for i, d in target.ids("dashboards").items() if d.get("slug") == slug), None)


def classify(plan: Plan, key: Key, translate: canonical.Translate) -> Step:
    source = plan.source
    item = source.get(key) or {}
    step = Step(key, source.title(key), "unchanged")
    reason = skip_reason(key, item)
    target_id = plan.resolver.resolve(key)
    step.target_id = target_id
    if reason:
        step.action, step.reason = "skip", reason
        return step
    if target_id is None:
        step.action = "create"
        return step
    current_item = plan.target.item((key[0], target_id)) or {}
    want = wanted(plan, key, translate, current_item)
    have = canonical.current(key[0], current_item)
    step.changes = canonical.changes(key[0], want, have)
    if is_looked_up(source, key):
        step.changes = [name for name in step.changes if name == "access"]
    if BY_NAME[key[0]].soft_delete and current_item.get("deleted") and not item.get("deleted"):
        step.action = "undelete"
    elif step.changes:
        step.action = "update"
    return step
