"""What a content type does in a restore beyond what its registry row says.

A type's row (looker/content_types.py) holds its facts: calls, references, keys, owner,
the fields that keep it quiet. A type whose restore needs code of its own (parts written by
calls of their own, a rule on what is wanted, a note for the plan) has one `Handler`, in a
module of its own under restore/types/; a type without one is written by one create or update
call. Every hook has a default that does nothing, so a handler names only what its type does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from lookervault.restore.canonical import Pseudo, Translate
from lookervault.restore.source import Key, Source

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan
    from lookervault.restore.resolver import Resolver
    from lookervault.restore.writes import Context

Json = dict[str, Any]

AdjustmentKind = Literal["owner", "query_tile", "tile_left_out", "board_item_left_out"]


@dataclass(frozen=True)
class Adjustment:
    """How a written item will differ from the backup because of a reference Looker held
    dangling; `part` names the tile or board item concerned."""

    kind: AdjustmentKind
    text: str
    part: str | None = None


WriteStep = Callable[["Context", Key, Json, "str | None"], str]
LateStep = Callable[["Context", Key, Json, str], None]
Fit = Callable[["Plan", Json, Json, "Json | None"], None]
"""(plan, backed-up item, wanted form, target item or None) -> None: the restore's own rules,
applied to the wanted form in place."""
Adjust = Callable[["Resolver", Json, Translate], "list[Adjustment]"]
LeftOut = Callable[["Resolver", Json, Translate], "str | None"]
Brings = Callable[[Source, Mapping[Key, "Key | None"]], "list[Key]"]


def _no_pseudo(_item: Json, _translate: Translate) -> Json:
    return {}


def _no_skip(_item_id: str, _item: Json) -> str | None:
    return None


def _no_fit(_plan: Plan, _item: Json, _want: Json, _target: Json | None) -> None:
    return None


def _no_adjustments(_resolver: Resolver, _item: Json, _translate: Translate) -> list[Adjustment]:
    return []


def _never(_resolver: Resolver, _item: Json, _translate: Translate) -> str | None:
    return None


def _no_notes(_plan: Plan) -> list[str]:
    return []


def _brings_nothing(_source: Source, _chosen: Mapping[Key, Key | None]) -> list[Key]:
    return []


@dataclass(frozen=True)
class Handler:
    """One type's restore code: each hook is called where the restore needs it."""

    pseudo: Pseudo = _no_pseudo
    """Parts compared and written outside the top-level call (a dashboard's tiles)."""
    write: WriteStep | None = None
    """The step's write; None: one create or update call of the top-level fields."""
    late_write: LateStep | None = None
    """The step's second call, for references marked `late` (a group's members)."""
    skip: Callable[[str, Json], str | None] = _no_skip
    """(id, item) -> why no client writes it, beyond the row's `skip_flags`."""
    fit: Fit = _no_fit
    adjustments: Adjust = _no_adjustments
    """How writing the item will differ from the backup, named before anything is written."""
    left_out: LeftOut = _never
    """Why the item cannot be carried over at all, beyond its vital references."""
    refused_create: LeftOut = _never
    """Why Looker will not let this restore make the item (a favourite of another user
    where the restore may not act as them)."""
    notes: Callable[[Plan], list[str]] = _no_notes
    """What the plan tells before anything is written."""
    brings: Brings = _brings_nothing
    """Items a selection brings along that no reference names (the Shared folder, whose
    access its subfolders' derives from)."""
    lacking_only: frozenset[str] = frozenset()
    """Pseudo-fields that change only when the target lacks some of the wanted values (a
    group's members: members added since the backup stay)."""
    system_changes: frozenset[str] = frozenset()
    """What a restore changes on an item Looker made itself (a system folder: its access)."""


PLAIN = Handler()
"""A type whose whole state is one create or update call."""
