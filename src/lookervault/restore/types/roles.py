"""Roles: the role, then its groups (one call replaces them all).

Looker (Google Cloud core) may refuse to set a role's groups: the role is kept, with a note,
and nothing that needs it waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lookervault.looker.client import LookerRequestError
from lookervault.restore.canonical import Translate, translated
from lookervault.restore.source import Key
from lookervault.restore.types.base import Handler
from lookervault.restore.writes import Context, changed_fields, write_plain

if TYPE_CHECKING:
    from lookervault.restore.plan import Plan

Json = dict[str, Any]


def groups(item: Json, translate: Translate) -> Json:
    if "group_ids" not in item:  # some editions refuse to tell a role's groups
        return {}
    return {"group_ids": translated(item["group_ids"] or [], "groups", translate)}


def without_refused_groups(plan: Plan, _item: Json, want: Json, _target: Json | None) -> None:
    if "role_groups" in plan.resolver.denied:
        want.pop("group_ids", None)


def write_role(ctx: Context, key: Key, want: Json, target_id: str | None) -> str:
    """A role, then its groups (one call replaces them all; Looker (Google Cloud core) may
    refuse it: the role is kept, with a note)."""
    created = target_id is None
    changed = [] if created else changed_fields(ctx, key, want, target_id or "")
    target_id = write_plain(ctx, key, want, target_id)
    groups = want.get("group_ids")
    if groups is not None and ((created and groups) or "group_ids" in changed):
        try:
            ctx.send("PUT", "/roles/{id}/groups", key, groups, id=target_id)
        except LookerRequestError as exc:
            if not ctx.refused(exc, "role_groups", key):
                raise
    return target_id


HANDLER = Handler(pseudo=groups, write=write_role, fit=without_refused_groups)
