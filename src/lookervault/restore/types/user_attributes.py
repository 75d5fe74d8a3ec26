"""User attributes: the attribute, then its group values, in priority order.

A hidden attribute's values (`value_is_hidden`) read back as null: the backup never holds
them, so a restore never writes them. It cannot keep what it does not know through Looker's
replace-all call either, so where the target holds hidden values, visible values are changed
one group at a time and hidden ones are left as they are. The plan says which values must be
entered again by hand. `hidden_value_domain_whitelist` cannot be edited once set: an update
never sends it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lookervault.looker.client import api_path
from lookervault.restore import canonical
from lookervault.restore.canonical import Translate
from lookervault.restore.source import Key
from lookervault.restore.target import again
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, ItemError, changed_fields, set_values, write_plain

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan, Step

Json = dict[str, Any]
ONCE_SET = "hidden_value_domain_whitelist"
"""Looker: "Once set, cannot be edited"."""


def group_values(item: Json, translate: Translate) -> Json:
    """Each group's value in priority order; a hidden one only as hidden (its value is null)."""
    values = sorted(item.get("group_values") or [], key=lambda v: v.get("rank") or 0)
    return {
        "group_values": [
            {"group_id": translate("groups", str(v["group_id"]))} | canonical.attribute_value(v)
            for v in values
        ]
    }


def as_writable(_plan: Plan, _item: Json, want: Json, target: Json | None) -> None:
    """What a restore can write: a hidden value only where Looker already holds one for that
    group (it is left alone), and the whitelist only on create."""
    if target is not None:
        want.pop(ONCE_SET, None)
    if "group_values" in want:
        held = (target or {}).get("group_values") or []
        want["group_values"] = canonical.writable_values(want["group_values"], held, "group_id")


def write_user_attribute(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """An attribute, then its group values: all at once (in priority order) where nothing
    hidden is at stake, else group by group."""
    created = target_id is None
    changed = [] if created else changed_fields(ctx, key, want, target_id or "")
    target_id = write_plain(ctx, key, want, target_id)
    values = want.get("group_values") or []
    if not ((created and values) or "group_values" in changed):
        return target_id
    if any(v["group_id"] is None for v in values):
        raise ItemError("a group value names a group that is neither backed up nor in Looker")
    visible = [v for v in values if not v.get("value_is_hidden")]
    have = [] if created else _target_values(ctx, key, target_id)
    if any(v.get("value_is_hidden") for v in have):
        _write_each(ctx, key, target_id, visible, have)
    else:
        path = "/user_attributes/{id}/group_values"
        ctx.send("POST", path, key, visible, find=again, id=target_id)
    return target_id


def _target_values(ctx: Context, key: Key, target_id: str) -> list[Json]:
    found = ctx.get(api_path("/user_attributes/{id}/group_values", target_id))
    return found if isinstance(found, list) else []


def _write_each(
    ctx: Context, key: Key, target_id: str, visible: list[Json], have: list[Json]
) -> None:
    """Visible values set and removed group by group; hidden ones are never touched."""
    path = "/groups/{group_id}/attribute_values/{id}"
    theirs = {str(v.get("group_id")): v for v in have}
    wanted = {str(v["group_id"]): v for v in visible}
    set_values(ctx, key, path, wanted, theirs, "group_id", {"id": target_id})


def hidden_values_note(plan: Plan) -> list[str]:
    """Hidden values are never backed up: each one Looker does not hold after the restore
    (a new attribute, a group made again) must be entered again by hand."""
    named = []
    for step in plan.steps.values():
        lost = _lost_hidden(plan, step) if step.action != "skip" else []
        if lost:
            named.append(f"{step.title!r} (group {', group '.join(lost)})")
    if not named:
        return []
    return [
        f"{len(named)} user attribute(s) hold hidden values, which Looker never gives out, so "
        "no backup has them: enter them again in Admin > User Attributes for the groups "
        "named. A restore leaves hidden values Looker holds as they are. " + "; ".join(named)
    ]


def _lost_hidden(plan: Plan, step: Step) -> list[str]:
    """The backed-up groups whose hidden value the target will not hold."""
    item = plan.source.get(step.key) or {}
    target = plan.target.item((step.key[0], step.target_id)) if step.target_id else None
    held = {
        str(v.get("group_id"))
        for v in (target or {}).get("group_values") or []
        if v.get("value_is_hidden")
    }
    return [
        str(v["group_id"])
        for v in item.get("group_values") or []
        if isinstance(v, dict)
        and v.get("value_is_hidden")
        and plan.resolver.resolve(("groups", str(v["group_id"]))) not in held
    ]


HANDLER = Handler(
    pseudo=group_values,
    write=write_user_attribute,
    fit=as_writable,
    notes=hidden_values_note,
)
