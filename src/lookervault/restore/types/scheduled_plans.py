"""Scheduled plans: the plan with its destinations (an update with them replaces them all),
never run once, owned and switched as backed up (read back from Looker's answer and set
again where it ignored them)."""

from __future__ import annotations

from typing import Any

from lookervault.restore import canonical
from lookervault.restore.canonical import Translate
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, changed_fields, create, settle, top_body, update

Json = dict[str, Any]
CHECKED = ("user_id", "enabled")


def destinations(item: Json, _translate: Translate) -> Json:
    found = item.get("scheduled_plan_destination") or []
    return {"scheduled_plan_destination": [canonical.destination_form(d) for d in found]}


def write_scheduled_plan(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """Destinations go with the plan (an update with them replaces them all); never run_once.
    The owner and the switch are read back from Looker's answer and set again if ignored."""
    destinations = want.get("scheduled_plan_destination") or []
    if target_id is None:
        body = top_body(want, key[0])
        body.update(run_once=False, scheduled_plan_destination=destinations)
        target_id = create(ctx, key, body)
    else:
        changed = changed_fields(ctx, key, want, target_id)
        body = top_body(want, key[0], changed)
        if "scheduled_plan_destination" in changed:
            body["scheduled_plan_destination"] = destinations
        if not body:
            return target_id
        update(ctx, key, target_id, body)
    settle(ctx, key, target_id, want, CHECKED)
    return target_id


HANDLER = Handler(pseudo=destinations, write=write_scheduled_plan)
