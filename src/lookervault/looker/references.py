"""References inside a backup that point at nothing it holds.

Looker itself leaves some behind (a tile on a look deleted for good, content of a user who
left, a schedule of a deleted dashboard); damage to a backup leaves others. Extraction records
the ones Looker held when it completed a run, so `verify` can tell the two apart and restore
can carry such items over with a stated adjustment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lookervault.looker.content_types import BY_NAME, PART_OWNERS, ids_at, parts


@dataclass(frozen=True)
class Dangling:
    """An item that names another item the backup does not hold."""

    type: str
    id: str
    title: str | None
    field: str
    target_type: str
    target_id: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return self.type, self.id, self.field, self.target_type, self.target_id

    def __str__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        return (
            f"{self.type} {self.id}{title}: {self.field} -> {self.target_type} "
            f"{self.target_id}, which the backup does not hold"
        )


def find_dangling(
    items: Iterable[tuple[str, str, dict[str, Any]]],
) -> tuple[list[Dangling], int, set[str]]:
    """The dangling references among `items` (type, id, object), how many references there
    are in all, and the types (parts included) the items hold any of."""
    held: dict[str, set[str]] = {}
    pointers: list[Dangling] = []
    for type_name, item_id, item in items:
        if type_name not in BY_NAME:
            continue
        held.setdefault(type_name, set()).add(item_id)
        title = BY_NAME[type_name].title_of(item)
        for part_type, owner_type in PART_OWNERS.items():
            if owner_type == type_name:
                found = (str(p.get("id")) for p in parts(item, part_type))
                held.setdefault(part_type, set()).update(found)
        ct = BY_NAME[type_name]
        for ref in (*ct.references, *ct.compared_references):
            if ref.personal:  # Looker makes it with the user, and ends it with them
                continue
            for target_id in ids_at(item, ref.path):
                pointers.append(Dangling(type_name, item_id, title, ref.path, ref.type, target_id))
    dangling = [p for p in pointers if p.target_id not in held.get(p.target_type, set())]
    return dangling, len(pointers), set(held)
