"""Tables that keep their own indexes, so finding a dashboard by a tile, slug or folder, a user
by email, or a query by its definition is a dict lookup at any size, not a scan of the table.

A `Table` holds a type's objects by id and updates every index on each write (set, delete,
pop, update: all go through `__setitem__` and `__delitem__`), so no write path can forget an
index. Objects are replaced, never mutated in place (store/__init__.py), which is what lets
an index skip a write that leaves the keys it reads the very same objects.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Hashable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
from dataclasses import dataclass
from typing import TypeVar, overload

from lookervault.local.standin.shapes import Json

_T = TypeVar("_T")


@dataclass(frozen=True)
class IndexSpec:
    """What an index files an object under: `keys(obj)`, computed from the object's `fields`."""

    fields: tuple[str, ...]
    keys: Callable[[Json], Iterable[Hashable]]


def by_field(name: str) -> IndexSpec:
    """Objects filed under the value of one of their keys (folder_id, slug...)."""
    return IndexSpec((name,), lambda obj: (obj[name],))


def by_part(parts: str) -> IndexSpec:
    """Parents filed under the id of each part in their list `parts` (a dashboard under its
    tiles' ids)."""
    return IndexSpec((parts,), lambda obj: [part["id"] for part in obj[parts]])


class Index:
    """Index key -> the ids of the objects filed under it, in the order they were filed."""

    def __init__(self, spec: IndexSpec) -> None:
        self.spec = spec
        self._entries: dict[Hashable, dict[str, None]] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def ids(self, key: Hashable) -> list[str]:
        return list(self._entries.get(key, ()))

    def entries(self) -> dict[Hashable, list[str]]:
        return {key: list(ids) for key, ids in self._entries.items()}

    def first(self, key: Hashable) -> str | None:
        return next(iter(self._entries.get(key, ())), None)

    def move(self, object_id: str, old: Json | None, new: Json | None) -> None:
        """File `object_id` under the keys of `new` instead of those of `old`."""
        fields = self.spec.fields
        if old is not None and new is not None and all(old[f] is new[f] for f in fields):
            return
        before = set(self.spec.keys(old)) if old is not None else set()
        after = set(self.spec.keys(new)) if new is not None else set()
        for key in before - after:
            bucket = self._entries[key]
            del bucket[object_id]
            if not bucket:
                del self._entries[key]
        for key in after - before:
            self._entries.setdefault(key, {})[object_id] = None


class Table(MutableMapping[str, Json]):
    """A type's objects by id, with named indexes kept up to date on every write."""

    def __init__(self, objects: Mapping[str, Json], specs: Mapping[str, IndexSpec]) -> None:
        self._data: dict[str, Json] = {}
        self._indexes = {name: Index(spec) for name, spec in specs.items()}
        for object_id, obj in objects.items():
            self[object_id] = obj

    def index(self, name: str) -> Index:
        return self._indexes[name]

    def drift(self) -> list[str]:
        """The indexes that differ from a rebuild from the objects now stored (none as long
        as every write went through this table)."""
        rebuilt = Table(self._data, {name: index.spec for name, index in self._indexes.items()})
        return [
            name
            for name, index in self._indexes.items()
            if index.entries() != rebuilt.index(name).entries()
        ]

    def __getitem__(self, object_id: str) -> Json:
        return self._data[object_id]

    def __setitem__(self, object_id: str, obj: Json) -> None:
        old = self._data.get(object_id)
        self._data[object_id] = obj
        for index in self._indexes.values():
            index.move(object_id, old, obj)

    def __delitem__(self, object_id: str) -> None:
        old = self._data.pop(object_id)
        for index in self._indexes.values():
            index.move(object_id, old, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # Reads straight from the dict: the Mapping mixins would go through __getitem__ per key.

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._data

    @overload
    def get(self, object_id: str, /) -> Json | None: ...

    @overload
    def get(self, object_id: str, default: Json | _T, /) -> Json | _T: ...

    def get(self, object_id: str, default: object = None, /) -> object:
        return self._data.get(object_id, default)

    def keys(self) -> KeysView[str]:
        return self._data.keys()

    def values(self) -> ValuesView[Json]:
        return self._data.values()

    def items(self) -> ItemsView[str, Json]:
        return self._data.items()
