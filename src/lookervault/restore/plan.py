"""The plan of a restore: which target item each backed-up item is, and what must change.

Matching, in order: the id map of earlier runs; the same id when the target is the instance
the backup came from; the instance's own system folders and each user's personal folder; the
natural key of the type (a user's email, a name, a title in its folder). An item nothing
matches is created. Dependencies the selection needs but the target lacks join the plan.

Instances hold references Looker itself left dangling: a tile on a deleted look, content of a
user who left, a schedule of a deleted dashboard. What such a reference names is in neither the
backup nor the target, so the item is carried over with a stated adjustment (a query tile of
the look's stored query, a fallback owner) or left out with its reason, never failed: no run
could ever restore it as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lookervault.looker.content_types import (
    BY_NAME,
    PART_OWNERS,
    ContentType,
    id_order,
    ids_at,
    parts,
    restore_order,
)
from lookervault.restore import canonical, pairing
from lookervault.restore.denials import DENIABLE
from lookervault.restore.identity import Identity
from lookervault.restore.source import Key, Source
from lookervault.restore.state import RestoreState
from lookervault.restore.target import SYSTEM_FOLDER_FLAGS, Target, fetch_full

Json = dict[str, Any]
Action = Literal["create", "update", "undelete", "unchanged", "skip"]
WRITES: frozenset[Action] = frozenset({"create", "update", "undelete"})
QUIET_REASON = "Restored by LookerVault into another instance: enable it when ready."
SCHEDULE_SWITCH: Mapping[str, Mapping[str, Any]] = {
    "scheduled_plans": {"enabled": False},
    "alerts": {"is_disabled": True, "disabled_reason": QUIET_REASON},
}
"""The fields that keep a restored schedule or alert from sending, and their quiet values."""


def quieted(items: Mapping[str, Mapping[str, Json]]) -> dict[str, dict[str, Json]]:
    """Backed-up items as a restore into another instance leaves them without
    --enable-schedules: every schedule and alert switched off."""
    found = {type_name: dict(by_id) for type_name, by_id in items.items()}
    for type_name, quiet in SCHEDULE_SWITCH.items():
        if type_name in found:
            found[type_name] = {i: {**x, **quiet} for i, x in found[type_name].items()}
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


AdjustmentKind = Literal["owner", "query_tile", "tile_left_out", "board_item_left_out"]


@dataclass(frozen=True)
class Adjustment:
    """How a written item will differ from the backup because of a reference Looker held
    dangling; `part` names the tile or board item concerned."""

    kind: AdjustmentKind
    text: str
    part: str | None = None


class Resolver:
    """Which target item a backed-up item is; remembers what this run creates."""

    def __init__(
        self,
        source: Source,
        target: Target,
        state: RestoreState,
        workers: int,
        identity: Identity,
        caller: Callable[[], str] | None = None,
        fallback_owner: str | None = None,
    ) -> None:
        """`caller`: asks Looker who the restore runs as (only when something needs it);
        `fallback_owner`: the target user who owns content whose owner is nowhere (default:
        the caller)."""
        self.source = source
        self.target = target
        self.identity = identity
        self.denied = state.denied()
        self._ask_caller = caller
        self._caller: str | None = None
        self._fallback = fallback_owner
        self._state = state
        self._workers = workers
        self._mapped: dict[str, dict[str, str]] = {}
        self._known: dict[Key, str] = {}
        self._natural: dict[str, dict[tuple[Any, ...], str]] = {}
        self._second: dict[str, dict[tuple[Any, ...], str]] = {}
        self._pairs: dict[Key, dict[Key, str]] = {}
        self._lock = threading.RLock()

    @property
    def same_instance(self) -> bool:
        return self.identity.same

    @property
    def caller(self) -> str | None:
        """The id of the user the restore runs as (the API user)."""
        with self._lock:
            if self._caller is None and self._ask_caller is not None:
                self._caller = self._ask_caller()
            return self._caller

    @property
    def fallback_owner(self) -> str | None:
        return self._fallback or self.caller

    def nowhere(self, key: Key) -> bool:
        """Neither the backup nor the target holds it: Looker held the reference dangling."""
        if key[0] in PART_OWNERS:
            held = key in self.source.part_owner
        else:
            held = self.source.get(key) is not None
        return not held and self.resolve(key) is None

    def deny(self, part: str) -> None:
        """The target refused a deniable part (restore/denials.py): remembered for good."""
        with self._lock:
            self.denied.add(part)
        self._state.record_denied(part)

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
            value = ct.value(item, name)
            if value is None and name in ct.nullable_key:
                values.append("")
                continue
            if translated and name in refs and value is not None:
                found = self.resolve((refs[name], str(value)))
                if found is None and ct.fallback_owner and ct.owner_field == name:
                    found = self.fallback_owner if self.nowhere(("users", str(value))) else None
                value = found
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
        found = self._natural[type_name].get(wanted)
        if found is None and ct.second_key:
            found = self._by_second_key(type_name, item)
        return found

    def _by_second_key(self, type_name: str, item: Json) -> str | None:
        """An item Looker holds without its natural key (a user without an email login:
        Looker (Google Cloud core) refuses them), by the row's second key, when exactly one
        item on each side has it."""
        ct = BY_NAME[type_name]
        if type_name not in self._second:
            listed = self.target.ids(type_name).values()
            keyless = (i for i in listed if not any(_key(ct, i, ct.natural_key)))
            mine = _grouped(ct, self.source.items.get(type_name, {}).values())
            theirs = _grouped(ct, keyless)
            self._second[type_name] = {
                key: ids[0]
                for key, ids in theirs.items()
                if len(ids) == 1 and len(mine.get(key, [])) == 1
            }
        return self._second[type_name].get(_key(ct, item, ct.second_key))


def _key(ct: ContentType, item: Json, names: Iterable[str]) -> tuple[Any, ...]:
    return tuple(ct.value(item, name) for name in names)


def _grouped(ct: ContentType, items: Iterable[Json]) -> dict[tuple[Any, ...], list[str]]:
    found: dict[tuple[Any, ...], list[str]] = {}
    for item in items:
        found.setdefault(_key(ct, item, ct.second_key), []).append(str(item.get(ct.id_field)))
    return found


def held_by(target: Target) -> canonical.Translate:
    """A reference in the target as it is, or None where the target holds nothing under it
    (only looks matter: a tile on a look the target itself holds dangling)."""

    def held(type_name: str, target_id: str) -> str | None:
        return (
            None if type_name == "looks" and not target.has((type_name, target_id)) else target_id
        )

    return held


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
    shared = _shared_root(source, chosen)
    if shared is not None:
        chosen.setdefault(shared, None)
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
        step.late_after = [k for k in _access_before(source, key) if k in plan.steps]
    return plan


def _shared_root(source: Source, chosen: Mapping[Key, Key | None]) -> Key | None:
    """The Shared folder, when the backup holds its access and a folder below it with access
    of its own is chosen: Looker derives a subfolder's access from its parent's, so the
    root's is restored first."""
    root = next(
        (i for i, f in source.items.get("folders", {}).items() if f.get("is_shared_root")), None
    )
    if root is None or "content_metadata" not in (source.get(("folders", root)) or {}):
        return None
    below = any(
        kind == "folders"
        and _own_access(source.get((kind, item_id)) or {})
        and root in _ancestors(source, item_id)
        for kind, item_id in chosen
    )
    return ("folders", root) if below else None


def _own_access(folder: Json) -> bool:
    return (folder.get("content_metadata") or {}).get("inherits") is False


def _ancestors(source: Source, folder_id: str) -> list[str]:
    found: list[str] = []
    parent = (source.get(("folders", folder_id)) or {}).get("parent_id")
    while parent is not None and str(parent) not in found:
        found.append(str(parent))
        parent = (source.get(("folders", str(parent))) or {}).get("parent_id")
    return found


def _access_before(source: Source, key: Key) -> list[Key]:
    """A folder's access is written after its parent's (top-down)."""
    if key[0] != "folders":
        return []
    parent = (source.get(key) or {}).get("parent_id")
    return [] if parent is None else [("folders", str(parent))]


def _step_key(source: Source, dep: Key) -> Key:
    """A personal folder is waited for through its user."""
    owner = source.personal_folder_owner.get(dep[1]) if dep[0] == "folders" else None
    return ("users", owner) if owner else dep


def wanted(plan: Plan, key: Key, translate: canonical.Translate, target_item: Json | None) -> Json:
    """The backed-up item in the form compared and written, with the restore's own rules."""
    item = plan.source.get(key) or {}
    resolver = plan.resolver
    want = canonical.desired(key[0], item, translate)
    switch = SCHEDULE_SWITCH.get(key[0])
    if switch and not resolver.same_instance and not plan.enable_schedules:
        for name, quiet in switch.items():
            if target_item is None:
                want[name] = quiet
            else:
                want.pop(name, None)
    owner = BY_NAME[key[0]].written_owner
    if owner and item.get(owner) is not None and resolver.nowhere(("users", str(item[owner]))):
        want.pop(owner, None)  # an existing item keeps the owner Looker gave it
        if target_item is None and resolver.fallback_owner is not None:
            want[owner] = resolver.fallback_owner
    if key[0] == "groups" and item.get("include_by_default"):
        want.pop("member_user_ids", None)
    if key[0] == "roles" and "role_groups" in resolver.denied:
        want.pop("group_ids", None)
    if key[0] == "users" and "email_logins" in resolver.denied:
        want.pop("email", None)
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
    reason = skip_reason(key, item) or left_out_reason(plan.resolver, key, item, translate)
    target_id = plan.resolver.resolve(key)
    step.target_id = target_id
    if reason:
        step.action, step.reason = "skip", reason
        return step
    if target_id is None and _made_by_its_user_only(plan.resolver, key, translate):
        step.action, step.reason = "skip", DENIABLE["login_user"].note
        return step
    if target_id is None:
        step.action = "create"
    else:
        current_item = plan.target.item((key[0], target_id)) or {}
        want = wanted(plan, key, translate, current_item)
        have = canonical.current(key[0], current_item, held_by(plan.target))
        step.changes = canonical.changes(key[0], want, have)
        if is_looked_up(source, key):
            step.changes = [name for name in step.changes if name == "access"]
        if BY_NAME[key[0]].soft_delete and current_item.get("deleted") and not item.get("deleted"):
            step.action = "undelete"
        elif step.changes:
            step.action = "update"
    if step.action in WRITES:
        step.adjustments = adjustments(plan.resolver, key, item, translate, step.action)
    return step


def _made_by_its_user_only(resolver: Resolver, key: Key, translate: canonical.Translate) -> bool:
    """A favourite of another user, where Looker will not let the restore act as them."""
    if key[0] != "content_favorites" or "login_user" not in resolver.denied:
        return False
    user = (resolver.source.get(key) or {}).get("user_id")
    return user is None or translate("users", str(user)) != resolver.caller


def left_out_reason(
    resolver: Resolver, key: Key, item: Json, translate: canonical.Translate
) -> str | None:
    """Why an item cannot be carried over at all: what it exists for is nowhere."""
    named = {
        "scheduled_plans": (("dashboard_id", "dashboards"), ("look_id", "looks")),
        "content_favorites": (("user_id", "users"), *canonical.FAVORED),
        "alerts": (("dashboard_element_id", "dashboard_elements"),),
    }
    for field_name, type_name in named.get(key[0], ()):
        value = item.get(field_name)
        if value is not None and resolver.nowhere((type_name, str(value))):
            what = "tile" if type_name == "dashboard_elements" else type_name[:-1]
            return f"its {what} {value} is in neither the backup nor Looker: {LOOKER_HELD}"
    tile = item.get("dashboard_element_id") if key[0] == "alerts" else None
    holder = resolver.source.part_owner.get(("dashboard_elements", str(tile))) if tile else None
    if holder is not None:
        dashboard = resolver.source.get(("dashboards", holder)) or {}
        tiles = [e for e in dashboard.get("dashboard_elements") or [] if str(e["id"]) == str(tile)]
        if tiles and canonical.left_out(canonical.element_form(tiles[0], translate, None)):
            return f"the tile it watches, {tile}, is left out of its dashboard: {LOOKER_HELD}"
    return None


LOOKER_HELD = "Looker held the reference dangling, so there is nothing to carry it over to"


def adjustments(
    resolver: Resolver,
    key: Key,
    item: Json,
    translate: canonical.Translate,
    action: Action,
) -> list[Adjustment]:
    """How writing this item will differ from the backup, named before anything is written."""
    found = []
    owner = BY_NAME[key[0]].written_owner
    user = item.get(owner) if owner else None
    if action == "create" and user is not None and resolver.nowhere(("users", str(user))):
        fallback = resolver.fallback_owner
        found.append(
            Adjustment(
                "owner",
                f"its owner, user {user}, is in neither the backup nor Looker (a user who "
                f"left): it will belong to user {fallback}, the fallback owner",
            )
        )
    if key[0] == "dashboards":
        for element in item.get("dashboard_elements") or []:
            look = element.get("look_id")
            if look is None or translate("looks", str(look)) is not None:
                continue
            tile = element.get("title") or element.get("title_text") or element["id"]
            said = f"tile {tile!r} shows look {look}, which is in neither the backup nor Looker"
            if canonical.left_out(canonical.element_form(element, translate, None)):
                text = f"{said}: it is left out (the backup holds no query for it)"
                found.append(Adjustment("tile_left_out", text, str(element["id"])))
            else:
                text = f"{said}: it comes back as a query tile of the look's stored query"
                found.append(Adjustment("query_tile", text, str(element["id"])))
    if key[0] == "boards":
        for section in item.get("board_sections") or []:
            for board_item in section.get("board_items") or []:
                if canonical.left_out_item(canonical.board_item_form(board_item, translate)):
                    text = (
                        f"board item {board_item['id']} shows content that is in neither the "
                        "backup nor Looker: it is left out"
                    )
                    found.append(Adjustment("board_item_left_out", text, str(board_item["id"])))
    return found
