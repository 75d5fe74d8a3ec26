"""Per-type restore code: one module per content type whose restore needs code of its own,
each with one `Handler` (restore/types/base.py). The module's name is the type's name in the
registry (looker/content_types.py); a type without a module is written by one create or
update call (`PLAIN`).

Promise: the plan, the writes and the executor treat every type alike; what a type does
differently is said once, on its row or in its handler, never in a branch on its name.

How a step uses its handler:

    want = row's writable fields, references translated
           + handler.pseudo(item)                  # parts written by calls of their own
    handler.fit(plan, item, want, target_item)     # the restore's own rules (a taken slug)
    plan: skip (row's skip_flags, handler.skip), left out (vital references, handler.left_out),
          adjustments (fallback owner, handler.adjustments), notes (handler.notes)
    write: (handler.write or one create/update call), then handler.late_write once what
           its late references name exists

An interruption leaves what any write leaves: each create is recorded in the id map as soon
as Looker answers it (restore/writes.py), so the next run plans from what Looker holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from lookervault.restore.types import (
    alerts,
    boards,
    content_favorites,
    dashboards,
    folders,
    groups,
    looks,
    roles,
    scheduled_plans,
    user_attributes,
    users,
)
from lookervault.restore.types.base import PLAIN, Handler

_MODULES: tuple[ModuleType, ...] = (
    *(folders, users, groups, roles, user_attributes, looks),
    *(dashboards, boards, scheduled_plans, alerts, content_favorites),
)
HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {module.__name__.rpartition(".")[2]: module.HANDLER for module in _MODULES}
)


def handler(type_name: str) -> Handler:
    return HANDLERS.get(type_name, PLAIN)
