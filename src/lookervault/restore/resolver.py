"""Which target item each backed-up item is, and the translation of references through it.

Matching, in order: the id map of earlier runs; the same id when the target is the instance
the backup came from; the instance's own system items and each user's personal folder; the
natural key of the type (a user's email, a name, a title in its folder), then its second key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from lookervault.looker.content_types import BY_NAME, PART_OWNERS, REGISTRY, ContentType, parts
from lookervault.restore import canonical, pairing
from lookervault.restore.identity import Identity
from lookervault.restore.source import Key, Source
from lookervault.restore.state import RestoreState
from lookervault.restore.target import Target, fetch_full

Json = dict[str, Any]
LOOKER_HELD = "Looker held the reference dangling, so there is nothing to carry it over to"
SHOWN_IN_PARTS = frozenset(
    ref.type for ct in REGISTRY for ref in ct.references if ref.path.split("[]")[0] in PART_OWNERS
)
"""Types a part of an item shows (a tile's look, a board item's dashboard): Looker may hold
such a reference dangling in the target too."""


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
            return self._looked_up(key, item or {})
        if self.same_instance and self.target.has(key):
            return source_id
        if item is None:
            return None
        return self._by_natural_key(type_name, item)

    def _looked_up(self, key: Key, item: Json) -> str | None:
        """The target's own system item (a root folder), or the personal item (folder) of the
        item (user) it belongs to."""
        for flag in BY_NAME[key[0]].system_names:
            if item.get(flag):
                return self.target.system_item(key[0], flag)
        owner = self.source.personal[key]
        owner_id = self.resolve(owner)
        holder = self.target.item((owner[0], owner_id)) if owner_id else None
        field_name = next(
            r.path for r in BY_NAME[owner[0]].references if r.personal and r.type == key[0]
        )
        personal = (holder or {}).get(field_name)
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


def _live_first(item: Json) -> bool:
    return bool(item.get("deleted"))


def held_by(target: Target) -> canonical.Translate:
    """A reference in the target as it is, or None where the target holds nothing under it
    (a tile on a look the target itself holds dangling)."""

    def held(type_name: str, target_id: str) -> str | None:
        gone = type_name in SHOWN_IN_PARTS and not target.has((type_name, target_id))
        return None if gone else target_id

    return held


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


def is_looked_up(source: Source, key: Key) -> bool:
    """Items Looker makes with the instance or with their user (the root folders, personal
    folders): never planned as creates."""
    item = source.get(key) or {}
    flags = BY_NAME[key[0]].system_names if key[0] in BY_NAME else {}
    return key in source.personal or any(item.get(flag) for flag in flags)
